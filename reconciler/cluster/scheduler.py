"""The scheduler: binds each waiting pod to a node that can run it, as kube-scheduler does.

A pod waits when it names no node, asks for `default-scheduler`, is not being deleted and has
not finished. For each, the scheduler keeps the nodes that pass the filters (Ready and not
cordoned, taints tolerated, nodeSelector and required node affinity, cpu/memory requests against
allocatable minus what the node's pods request, at most `pods` pods) and picks the one holding
the fewest pods of the same controller, then the least requested one, ties broken at random
(`api.rng`), so that replicas spread over nodes. Binding writes spec.nodeName, the PodScheduled
condition and a Normal `Scheduled` event. A pod that fits nowhere keeps waiting with PodScheduled
False/Unschedulable and a Warning `FailedScheduling` event in kube-scheduler's words (written when
the reason changes, so a retry that finds the same answer writes nothing).

One reconcile schedules every waiting pod at once (its one key stands for the scheduling
queue): the node scan is paid once per group of identical pods (same controller and same
demands), and each pod of the group then costs O(log nodes) through a heap. Waiting pods are
tried again when a node or a pod changes in a way that may free room, and every 5 minutes
(kube-scheduler's podMaxInUnschedulablePodsDuration).
"""

from __future__ import annotations

import copy
import heapq
from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.api.events import EventRecorder, EventType
from reconciler.api.server import Api
from reconciler.clock import rfc3339
from reconciler.cluster.fit import Demand, fit_error, load, resource_reasons, static_reasons
from reconciler.cluster.reconcile import DONE, KeyMapper, Result
from reconciler.cluster.scheduler_cache import SchedulerCache, owner_uid
from reconciler.errors import Conflict, NotFound
from reconciler.model.keys import Obj, ObjectKey

SCHEDULER_NAME = "default-scheduler"
QUEUE = ObjectKey("Scheduler", "", SCHEDULER_NAME)
"""The one key the scheduler reconciles: its queue of waiting pods."""
RETRY_UNSCHEDULABLE = 300.0
"""kube-scheduler retries pods that fitted nowhere at least this often (seconds)."""

HeapEntry = tuple[int, float, float, str]
"""(pods of the same controller on the node, load after placing, random tie-break, node)."""


def _to_queue(obj: Obj) -> Iterable[ObjectKey]:
    yield QUEUE


def pod_condition(pod: Obj, kind: str) -> dict[str, Any] | None:
    """The pod's condition of type `kind`, if it has one."""
    for condition in (pod.get("status") or {}).get("conditions") or ():
        if condition.get("type") == kind:
            return condition  # type: ignore[no-any-return]
    return None


def set_pod_condition(pod: Obj, condition: dict[str, Any]) -> None:
    """Replace (or add) the condition of the same type in `pod`'s status."""
    conditions = pod.setdefault("status", {}).setdefault("conditions", [])
    for index, existing in enumerate(conditions):
        if existing.get("type") == condition["type"]:
            conditions[index] = condition
            return
    conditions.append(condition)


class Scheduler:
    """The default scheduler as a controller of the simulated cluster."""

    name = "scheduler"

    def __init__(self, api: Api) -> None:
        self._api = api
        self._events = EventRecorder(api, SCHEDULER_NAME)
        self._cache = SchedulerCache(api.store, scheduler_name=SCHEDULER_NAME)
        self._retry_all_at = 0.0

    def watches(self) -> Mapping[str, KeyMapper]:
        return {"Pod": _to_queue, "Node": _to_queue}

    def reconcile(self, key: ObjectKey) -> Result:
        cache = self._cache
        cache.sync()
        now = self._api.clock.now()
        retry_all = cache.capacity_changed or now >= self._retry_all_at
        waiting = [k for k in cache.pending if retry_all or k in cache.fresh]
        cache.fresh.clear()
        cache.capacity_changed = False
        groups: dict[tuple[str | None, Demand], list[Obj]] = {}
        for pod_key in waiting:
            pod = cache.pending[pod_key]
            groups.setdefault((owner_uid(pod), Demand.of(pod)), []).append(pod)
        for (owner, demand), pods in groups.items():
            self._schedule_group(pods, owner=owner, demand=demand)
        if not cache.pending:
            return DONE
        if retry_all:
            self._retry_all_at = now + RETRY_UNSCHEDULABLE
        return Result(requeue_after=max(self._retry_all_at - now, 0.0))

    def _schedule_group(self, pods: list[Obj], *, owner: str | None, demand: Demand) -> None:
        """Place identical pods one after the other on the best node left for them."""
        cache = self._cache
        rng = self._api.rng
        heap: list[HeapEntry] = [
            self._entry(owner, demand, name)
            for name, facts in cache.nodes.items()
            if not static_reasons(demand, facts)
        ]
        heapq.heapify(heap)
        failure: str | None = None
        for pod in pods:
            chosen: HeapEntry | None = None
            while heap:
                entry = heapq.heappop(heap)
                name = entry[3]
                if not resource_reasons(demand, cache.nodes[name], cache.usage_of(name)):
                    chosen = entry
                    break
                # What does not fit one pod of the group fits none of the others either.
            if chosen is None:
                failure = failure or self._diagnose(demand)
                self._unschedulable(pod, failure)
                continue
            if self._bind(pod, chosen[3]):
                heapq.heappush(heap, self._entry(owner, demand, chosen[3]))
            else:
                heapq.heappush(heap, (chosen[0], chosen[1], rng.random(), chosen[3]))

    def _entry(self, owner: str | None, demand: Demand, node: str) -> HeapEntry:
        cache = self._cache
        return (
            cache.owner_count(owner, node),
            load(demand, cache.nodes[node], cache.usage_of(node)),
            self._api.rng.random(),
            node,
        )

    def _diagnose(self, demand: Demand) -> str:
        cache = self._cache
        return fit_error(
            [
                static_reasons(demand, facts)
                or resource_reasons(demand, facts, cache.usage_of(name))
                for name, facts in sorted(cache.nodes.items())
            ]
        )

    def _bind(self, pod: Obj, node: str) -> bool:
        """Write the binding; False when the pod changed or vanished meanwhile (the watch
        brings its new state and it is tried again)."""
        bound = copy.deepcopy(pod)
        bound["spec"]["nodeName"] = node
        try:
            bound = self._api.update(bound)
            set_pod_condition(
                bound,
                {
                    "type": "PodScheduled",
                    "status": "True",
                    "lastProbeTime": None,
                    "lastTransitionTime": rfc3339(self._api.clock.now()),
                },
            )
            bound = self._api.update_status(bound)
        except (Conflict, NotFound):
            return False
        self._cache.assume(bound)
        meta = bound["metadata"]
        self._events.record(
            bound,
            EventType.NORMAL,
            "Scheduled",
            f"Successfully assigned {meta['namespace']}/{meta['name']} to {node}",
        )
        return True

    def _unschedulable(self, pod: Obj, message: str) -> None:
        """Say why the pod waits, once per distinct reason."""
        current = pod_condition(pod, "PodScheduled")
        if (
            current is not None
            and current.get("status") == "False"
            and current.get("reason") == "Unschedulable"
            and current.get("message") == message
        ):
            return
        updated = copy.deepcopy(pod)
        since = rfc3339(self._api.clock.now())
        if current is not None and current.get("status") == "False":
            since = current.get("lastTransitionTime") or since
        set_pod_condition(
            updated,
            {
                "type": "PodScheduled",
                "status": "False",
                "lastProbeTime": None,
                "lastTransitionTime": since,
                "reason": "Unschedulable",
                "message": message,
            },
        )
        try:
            updated = self._api.update_status(updated)
        except (Conflict, NotFound):
            return
        self._events.record(updated, EventType.WARNING, "FailedScheduling", message)
