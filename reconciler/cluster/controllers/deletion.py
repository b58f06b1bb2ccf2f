"""Which pods a ReplicationController or ReplicaSet deletes first when it has too many.

Kubernetes' order (pkg/controller/controller_utils.go `ActivePodsWithRanks.Less`, with the
PodDeletionCost and LogarithmicScaleDown features on, as they are by default), first rule that
tells two pods apart wins, the pod that sorts first is deleted first:

1. not yet assigned to a node before assigned;
2. phase Pending before Unknown before Running;
3. not ready before ready;
4. lower `controller.kubernetes.io/pod-deletion-cost` annotation first;
5. more active related pods on the same node first (doubled-up pods go first);
6. both ready: more recently ready first, compared in powers-of-two buckets of time since ready,
   the same bucket decided by uid;
7. more container restarts first;
8. newer first, in powers-of-two buckets of age, the same bucket decided by uid.

Used by controllers/replication.py only. Pure: reads the pods and `now`, writes nothing.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from functools import cmp_to_key

from reconciler.clock import parse_rfc3339
from reconciler.model.keys import Obj

DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
PHASE_ORDER = {"Pending": 0, "Unknown": 1, "Running": 2}


def pods_to_delete(
    active: Sequence[Obj], related: Sequence[Obj], *, count: int, now: float
) -> list[Obj]:
    """The `count` pods of `active` to delete; `related` (active pods of this controller and of
    its siblings under one owner) decides how crowded each pod's node is."""
    if count >= len(active):
        return list(active)
    crowding = Counter(
        pod["spec"].get("nodeName", "")
        for pod in related
        if is_active(pod)  # "related" may hold siblings' finished or terminating pods
    )
    ranked = [(pod, crowding[pod["spec"].get("nodeName", "")]) for pod in active]

    def compare(a: tuple[Obj, int], b: tuple[Obj, int]) -> int:
        return _compare(a, b, now)

    ranked.sort(key=cmp_to_key(compare))
    return [pod for pod, _ in ranked[:count]]


def is_active(pod: Obj) -> bool:
    """Counts towards replicas: not finished and not being deleted (FilterActivePods)."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp")


def _compare(a: tuple[Obj, int], b: tuple[Obj, int], now: float) -> int:
    """Negative when `a` should be deleted before `b`."""
    pod_a, rank_a = a
    pod_b, rank_b = b
    node_a, node_b = pod_a["spec"].get("nodeName", ""), pod_b["spec"].get("nodeName", "")
    if node_a != node_b and (not node_a or not node_b):
        return -1 if not node_a else 1
    phase_a, phase_b = _phase(pod_a), _phase(pod_b)
    if phase_a != phase_b:
        return -1 if phase_a < phase_b else 1
    ready_a, ready_b = ready_since(pod_a), ready_since(pod_b)
    if (ready_a is None) != (ready_b is None):
        return -1 if ready_a is None else 1
    cost_a, cost_b = _deletion_cost(pod_a), _deletion_cost(pod_b)
    if cost_a != cost_b:
        return -1 if cost_a < cost_b else 1
    if rank_a != rank_b:
        return -1 if rank_a > rank_b else 1
    if ready_a is not None and ready_b is not None and ready_a != ready_b:
        return _newer_first(ready_a, ready_b, now, pod_a, pod_b)
    restarts_a, restarts_b = _restarts(pod_a), _restarts(pod_b)
    if restarts_a != restarts_b:
        return -1 if restarts_a > restarts_b else 1
    created_a, created_b = _created(pod_a), _created(pod_b)
    if created_a != created_b:
        return _newer_first(created_a, created_b, now, pod_a, pod_b)
    return 0


def _newer_first(time_a: float, time_b: float, now: float, pod_a: Obj, pod_b: Obj) -> int:
    """afterOrZero with logarithmic buckets: a zero time sorts first; otherwise the time in
    the lower power-of-two bucket of nanoseconds elapsed is newer; one bucket, by uid."""
    if not time_a or not time_b:
        return -1 if not time_a else 1
    diff = _bucket(now - time_a) - _bucket(now - time_b)
    if diff == 0:
        uid_a, uid_b = pod_a["metadata"].get("uid", ""), pod_b["metadata"].get("uid", "")
        return -1 if uid_a < uid_b else (1 if uid_a > uid_b else 0)
    return -1 if diff < 0 else 1


def _bucket(elapsed_seconds: float) -> int:
    nanoseconds = elapsed_seconds * 1e9
    return int(math.log2(nanoseconds)) if nanoseconds > 0 else -1


def _phase(pod: Obj) -> int:
    return PHASE_ORDER.get((pod.get("status") or {}).get("phase", ""), 0)


def ready_since(pod: Obj) -> float | None:
    """When the pod became Ready (0.0 when unknown), None when it is not Ready."""
    for condition in (pod.get("status") or {}).get("conditions") or ():
        if condition.get("type") == "Ready":
            if condition.get("status") != "True":
                return None
            stamp = condition.get("lastTransitionTime")
            return parse_rfc3339(stamp) if stamp else 0.0
    return None


def _deletion_cost(pod: Obj) -> int:
    text = (pod["metadata"].get("annotations") or {}).get(DELETION_COST, "0")
    try:
        return int(text)
    except ValueError:
        return 0


def _restarts(pod: Obj) -> int:
    statuses = (pod.get("status") or {}).get("containerStatuses") or ()
    return max((int(s.get("restartCount", 0)) for s in statuses), default=0)


def _created(pod: Obj) -> float:
    stamp = pod["metadata"].get("creationTimestamp")
    return parse_rfc3339(stamp) if stamp else 0.0
