"""How a Deployment moves its pods from one template to the next, and how it is resized.

Ports pkg/controller/deployment/rolling.go, recreate.go and sync.go's `sync`/`scale`:
- RollingUpdate: grow the new ReplicaSet as far as maxSurge allows; otherwise shrink old ones,
  first by their unavailable pods (they cannot lower availability), then as far as keeping
  replicas - maxUnavailable pods available allows; one step per sync, each write bringing the
  next sync. Old, empty ReplicaSets beyond the history limit go once the rollout completed.
- Recreate: scale every old ReplicaSet to 0, wait until none of their pods is left (terminating
  ones included), then create the new one at full size.
- Resize (a paused deployment, or a change of replicas alone): the one active ReplicaSet takes
  the new count; during a rollout the change is shared among the active ones in proportion to
  their sizes, so a scale never starts a rollout nor creates a ReplicaSet.

Each function takes the sync of one reconcile (`deployment_sync.py`) and ends by writing status.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.cluster.controllers.deployment_status import complete
from reconciler.cluster.controllers.deployment_sync import DeploymentSync
from reconciler.cluster.controllers.rollout import (
    active,
    active_or_latest,
    annotated,
    is_saturated,
    max_unavailable,
    new_rs_replicas,
    proportional_sizes,
    sort_for_resize,
    status_count,
    total_replicas,
)
from reconciler.errors import Conflict
from reconciler.model.deployments import DESIRED_REPLICAS, by_creation, replicas_of
from reconciler.model.keys import Obj


def _available(rs: Obj) -> int:
    return int((rs.get("status") or {}).get("availableReplicas") or 0)


# -- RollingUpdate ---------------------------------------------------------------------------


def rolling(sync: DeploymentSync) -> None:
    """rolloutRolling: one step of a rolling update, then status."""
    new, olds = sync.new_and_old(create=True)
    if new is None:  # the create failed in a way that leaves nothing to roll to yet
        raise Conflict(f'deployment "{sync.deployment_name}" has no new replica set yet')
    if _grow_new(sync, new, olds):
        _rollout_status(sync)
        return
    if _shrink_old(sync, new):
        _rollout_status(sync)
        return
    if complete(sync.deployment, sync.deployment.get("status") or {}):
        sync.cleanup(sync.split()[1])
    _rollout_status(sync)


def _rollout_status(sync: DeploymentSync) -> None:
    new, olds = sync.split()
    sync.sync_rollout_status([*olds, new], new)


def _grow_new(sync: DeploymentSync, new: Obj, olds: Sequence[Obj]) -> bool:
    """reconcileNewReplicaSet: up to the surge ceiling (or down, if above the desired count)."""
    if replicas_of(new) == sync.desired:
        return False
    if replicas_of(new) > sync.desired:
        return sync.scale(new, sync.desired)[0]
    return sync.scale(new, new_rs_replicas(sync.deployment, [*olds, new], new))[0]


def _shrink_old(sync: DeploymentSync, new: Obj) -> bool:
    """reconcileOldReplicaSets: how far old ReplicaSets may shrink without dropping below
    replicas - maxUnavailable available pods, counting the new set's unavailable ones."""
    olds = active(sync.split()[1])
    if total_replicas(olds) == 0:
        return False
    minimum = sync.desired - max_unavailable(sync.deployment)
    new_unavailable = replicas_of(new) - _available(new)
    room = total_replicas([*olds, new]) - minimum - new_unavailable
    if room <= 0:
        return False
    cleaned = _drop_unhealthy(sync, olds, room)
    return cleaned + _scale_down_available(sync) > 0


def _drop_unhealthy(sync: DeploymentSync, olds: Sequence[Obj], room: int) -> int:
    """cleanupUnhealthyReplicas: shrink old sets by their unavailable pods first (the
    ReplicaSet deletes not-ready pods first, so availability does not drop)."""
    done = 0
    for rs in by_creation(olds):
        if done >= room:
            break
        unhealthy = replicas_of(rs) - _available(rs)
        if replicas_of(rs) == 0 or unhealthy <= 0:
            continue
        count = min(room - done, unhealthy)
        sync.scale(rs, replicas_of(rs) - count)
        done += count
    return done


def _scale_down_available(sync: DeploymentSync) -> int:
    """scaleDownOldReplicaSetsForRollingUpdate: remove as many available old pods as
    availability above replicas - maxUnavailable allows, oldest sets first."""
    new, olds = sync.split()
    minimum = sync.desired - max_unavailable(sync.deployment)
    available = status_count([*olds, new], "availableReplicas")
    if available <= minimum:
        return 0
    wanted = available - minimum
    done = 0
    for rs in olds:
        if done >= wanted:
            break
        if replicas_of(rs) == 0:
            continue
        count = min(replicas_of(rs), wanted - done)
        sync.scale(rs, replicas_of(rs) - count)
        done += count
    return done


# -- Recreate --------------------------------------------------------------------------------


def recreate(sync: DeploymentSync, pods: Sequence[Obj]) -> None:
    """rolloutRecreate: old sets to 0, wait for their pods to be gone, then the new set."""
    new, olds = sync.new_and_old(create=False)
    scaled_down = False
    for rs in active(olds):
        scaled_down = sync.scale(rs, 0)[0] or scaled_down
    if scaled_down or _old_pods_running(sync, new, pods):
        _rollout_status(sync)
        return
    if new is None:
        new, olds = sync.new_and_old(create=True)
    if new is not None:
        sync.scale(new, sync.desired)
    if complete(sync.deployment, sync.deployment.get("status") or {}):
        sync.cleanup(sync.split()[1])
    _rollout_status(sync)


def _old_pods_running(sync: DeploymentSync, new: Obj | None, pods: Sequence[Obj]) -> bool:
    """oldPodsRunning: an old set still counts pods, or a pod of one has not finished
    (terminating pods count: Recreate never runs two versions at once)."""
    _, olds = sync.split()
    if status_count(olds, "replicas") > 0:
        return True
    old_uids = {rs["metadata"]["uid"] for rs in olds}
    for pod in pods:
        owner = next(
            (ref for ref in pod["metadata"].get("ownerReferences") or () if ref.get("controller")),
            None,
        )
        if owner is None or owner.get("uid") not in old_uids:
            continue
        if (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
            return True
    return False


# -- resizing --------------------------------------------------------------------------------


def is_scaling_event(sync: DeploymentSync) -> bool:
    """isScalingEvent: an active ReplicaSet was sized for another replica count."""
    new, olds = sync.new_and_old(create=False)
    for rs in active([*olds, new]):
        wanted = annotated(rs, DESIRED_REPLICAS)
        if wanted is not None and wanted != sync.desired:
            return True
    return False


def resize(sync: DeploymentSync) -> None:
    """sync: apply a new replica count (or hold a paused deployment), then status."""
    new, olds = sync.new_and_old(create=False)
    _scale(sync, new, olds)
    if (sync.deployment.get("spec") or {}).get("paused"):
        sync.cleanup(sync.split()[1])
    new, olds = sync.split()
    sync.sync_status([*olds, new], new)


def _scale(sync: DeploymentSync, new: Obj | None, olds: list[Obj]) -> None:
    """sync.go `scale`."""
    single = active_or_latest(new, olds)
    if single is not None:
        if replicas_of(single) != sync.desired:
            sync.scale(single, sync.desired)
        return
    if is_saturated(sync.deployment, new):
        for rs in active(olds):
            sync.scale(rs, 0)
        return
    strategy = (sync.deployment.get("spec") or {}).get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return
    running = sort_for_resize(sync.deployment, active([*olds, new]))
    direction, sizes = proportional_sizes(sync.deployment, running)
    for rs, size in zip(running, sizes, strict=True):
        sync.scale(rs, size, direction)
