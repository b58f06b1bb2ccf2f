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
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from reconciler.api.events import EventRecorder, EventType
from reconciler.api.informer import Changes
from reconciler.api.server import Api
from reconciler.clock import rfc3339
from reconciler.cluster.fit import Demand, fit_error, load, resource_reasons, static_reasons
from reconciler.cluster.reconcile import DONE, KeyMapper, Result
from reconciler.cluster.scheduler_cache import WATCHED, SchedulerCache
from reconciler.errors import Conflict, NotFound
from reconciler.model.conditions import condition_of
from reconciler.model.keys import Obj, ObjectKey

SCHEDULER_NAME = "default-scheduler"
QUEUE = ObjectKey("Scheduler", "", SCHEDULER_NAME)
"""The one key the scheduler reconciles: its queue of waiting pods."""
RETRY_UNSCHEDULABLE = 300.0
"""kube-scheduler retries pods that fitted nowhere at least this often (seconds)."""
MIN_FEASIBLE_NODES = 100
BASE_PERCENTAGE_OF_NODES = 50
MIN_PERCENTAGE_OF_NODES = 5


def nodes_to_score(total: int) -> int:
    """kube-scheduler's adaptive percentageOfNodesToScore: every node up to 100, then a share
    that shrinks as clusters grow (10 % of 5,000 nodes), never under 100 nodes."""
    if total < MIN_FEASIBLE_NODES:
        return total
    percentage = max(BASE_PERCENTAGE_OF_NODES - total // 125, MIN_PERCENTAGE_OF_NODES)
    return max(total * percentage // 100, MIN_FEASIBLE_NODES)


HeapEntry = tuple[int, float, int, str]
"""(pods of the same controller on the node, load after placing, random tie-break, node)."""


class _Batch:
    """What one reconcile works out once for all its groups: a random order of the nodes for
    breaking ties, and which nodes pass the filters that do not depend on other pods."""

    def __init__(self, tie_break: dict[str, int]) -> None:
        self.tie_break = tie_break
        self._feasible: dict[tuple[object, ...], list[str]] = {}

    def candidates(self, demand: Demand, cache: SchedulerCache) -> list[str]:
        """Nodes passing the static filters for pods asking what `demand` asks."""
        key = (demand.node_selector, demand.affinity_terms, demand.tolerations)
        found = self._feasible.get(key)
        if found is None:
            found = [n for n, facts in cache.nodes.items() if not static_reasons(demand, facts)]
            self._feasible[key] = found
        return found


def _to_queue(obj: Obj) -> Iterable[ObjectKey]:
    yield QUEUE


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
        # kube-scheduler records through the events.k8s.io API, whose recorder neither
        # combines similar events nor throttles them
        self._events = EventRecorder(api, SCHEDULER_NAME, correlated=False)
        self._cache = SchedulerCache(api.store, scheduler_name=SCHEDULER_NAME)
        self._retry_all_at = 0.0
        self._next_start = 0
        """Where the next group's window of nodes starts (kube-scheduler's nextStartNodeIndex)."""

    def watches(self) -> Mapping[str, KeyMapper]:
        return {"Pod": _to_queue, "Node": _to_queue}

    def follows(self) -> Collection[str]:
        return WATCHED

    def observe(self, changes: Changes) -> None:
        self._cache.observe(changes)

    def reconcile(self, key: ObjectKey) -> Result:
        cache = self._cache
        cache.sync()
        now = self._api.clock.now()
        retry_all = cache.capacity_changed or now >= self._retry_all_at
        waiting = [w for k, w in cache.pending.items() if retry_all or k in cache.fresh]
        cache.fresh.clear()
        cache.capacity_changed = False
        groups: dict[tuple[str | None, Demand], list[Obj]] = {}
        for entry in waiting:
            groups.setdefault((entry.owner, entry.demand), []).append(entry.pod)
        order = list(self._cache.nodes)
        self._api.rng.shuffle(order)  # equal nodes are then taken in a random order
        batch = _Batch({name: index for index, name in enumerate(order)})
        for (owner, demand), pods in groups.items():
            self._schedule_group(pods, owner=owner, demand=demand, batch=batch)
        if not cache.pending:
            return DONE
        if retry_all:
            self._retry_all_at = now + RETRY_UNSCHEDULABLE
        return Result(requeue_after=max(self._retry_all_at - now, 0.0))

    def _schedule_group(
        self, pods: list[Obj], *, owner: str | None, demand: Demand, batch: _Batch
    ) -> None:
        """Place identical pods one after the other on the best node left for them."""
        heap, whole = self._heap(owner, demand, batch, window=len(pods))
        failure: str | None = None
        for pod in pods:
            chosen = self._pop_fitting(heap, demand)
            if chosen is None and not whole:  # the window is full: look at every node
                heap, whole = self._heap(owner, demand, batch, window=None)
                chosen = self._pop_fitting(heap, demand)
            if chosen is None:
                failure = failure or self._diagnose(demand)
                self._unschedulable(pod, failure)
                continue
            if self._bind(pod, chosen[3], demand):
                heapq.heappush(heap, self._entry(owner, demand, chosen[3], batch))
            else:
                heapq.heappush(heap, chosen)

    def _pop_fitting(self, heap: list[HeapEntry], demand: Demand) -> HeapEntry | None:
        """The best node with room left; nodes without are dropped, since what does not fit
        one pod of a group fits none of the others either."""
        cache = self._cache
        while heap:
            entry = heapq.heappop(heap)
            name = entry[3]
            if not resource_reasons(demand, cache.nodes[name], cache.usage_of(name)):
                return entry
        return None

    def _heap(
        self, owner: str | None, demand: Demand, batch: _Batch, *, window: int | None
    ) -> tuple[list[HeapEntry], bool]:
        """The feasible nodes the group may use, best first, and whether they are all of them.

        As kube-scheduler does, a big cluster offers a group only a window of its nodes
        (`nodes_to_score`, plus one per pod of the group so that it can still spread), the
        windows rotating over the cluster: building this heap is the one step of a group that
        costs more than O(log nodes) per pod. `window=None` offers every node."""
        candidates = batch.candidates(demand, self._cache)
        size = len(candidates) if window is None else nodes_to_score(len(candidates)) + window
        if size < len(candidates):
            start = self._next_start % len(candidates)
            candidates = (candidates[start:] + candidates[:start])[:size]
            self._next_start = start + size
        counts: Mapping[str, int] = self._cache.owners.get(owner or "") or {}
        nodes, usage, tie_break = self._cache.nodes, self._cache.usage, batch.tie_break
        cpu, memory = demand.nonzero_milli_cpu, demand.nonzero_memory
        heap: list[HeapEntry] = []
        for name in candidates:
            facts, used = nodes[name], usage[name]
            share = (used.nonzero_milli_cpu + cpu) / max(facts.milli_cpu, 1) + (
                used.nonzero_memory + memory
            ) / max(facts.memory, 1)
            heap.append((counts.get(name, 0), share / 2, tie_break[name], name))
        heapq.heapify(heap)
        return heap, size >= len(batch.candidates(demand, self._cache))

    def _entry(self, owner: str | None, demand: Demand, node: str, batch: _Batch) -> HeapEntry:
        cache = self._cache
        return (
            cache.owner_count(owner, node),
            load(demand, cache.nodes[node], cache.usage_of(node)),
            batch.tie_break[node],
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

    def _bind(self, pod: Obj, node: str, demand: Demand) -> bool:
        """Write the binding; False when the pod changed or vanished meanwhile (the watch
        brings its new state and it is tried again). The pod is handed to the api as the cache
        holds it (its newest change): while it is current the binding is written from it
        without reading and decoding the pod again."""
        try:
            uid = pod["metadata"].get("uid")
            bound = self._api.bind(ObjectKey.of(pod), node, uid=uid, pod=pod)
        except (Conflict, NotFound):
            return False
        self._cache.assume(bound, demand)
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
        current = condition_of(pod, "PodScheduled")
        if (
            current is not None
            and current.get("status") == "False"
            and current.get("reason") == "Unschedulable"
            and current.get("message") == message
        ):
            return
        updated = {**pod, "status": copy.deepcopy(pod.get("status") or {})}
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
