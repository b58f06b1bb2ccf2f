"""The scheduler's picture of the cluster: nodes, what is bound to each, and the pods waiting.

Kept in step with the store the way kube-scheduler's informers keep its cache: one list, then
the store's watch from the revision of that list (`sync`), so that scheduling a pod costs work
proportional to the nodes, never to the pods already running. It follows the store rather than
this process's manager, so changes another process (a CLI command beside the daemon) made are
never missed; when the store's history has been compacted past it, it lists again. Between its
reads the manager feeds it the changes it decoded anyway (`observe`).

Only cluster/scheduler.py uses it. It reads the store and never writes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from reconciler.api.informer import Changes
from reconciler.api.metadata import controller_of
from reconciler.cluster.fit import Demand, NodeFacts, Usage
from reconciler.errors import Expired
from reconciler.model.keys import Obj, ObjectKey
from reconciler.store.base import EventType, Store, WatchEvent

FINISHED_PHASES = ("Succeeded", "Failed")
WATCHED = ("Pod", "Node")


@dataclass(frozen=True)
class Placement:
    """A pod that holds resources on a node (bound, not finished; terminating ones too)."""

    node: str
    demand: Demand
    owner: str | None


@dataclass(frozen=True)
class Waiting:
    """A pod waiting for a node, with what it asks for worked out once."""

    pod: Obj
    demand: Demand
    owner: str | None


def owner_uid(pod: Obj) -> str | None:
    """The uid of the pod's controller, whose replicas the scheduler spreads."""
    ref = controller_of(pod)
    return str(ref["uid"]) if ref and ref.get("uid") else None


class SchedulerCache:
    """Nodes and placements as of the store's latest revision, plus the queue of waiting pods."""

    def __init__(self, store: Store, *, scheduler_name: str) -> None:
        self._store = store
        self._scheduler_name = scheduler_name
        self._revision: int | None = None
        self.nodes: dict[str, NodeFacts] = {}
        self.usage: dict[str, Usage] = {}
        self.placements: dict[ObjectKey, Placement] = {}
        self.owners: dict[str, Counter[str]] = {}
        self.pending: dict[ObjectKey, Waiting] = {}
        """Pods waiting for this scheduler, in the order they arrived."""
        self.fresh: set[ObjectKey] = set()
        """Waiting pods that are new or changed since the scheduler last tried them."""
        self.capacity_changed = False
        """Something happened that may let a pod that fitted nowhere fit now."""

    def sync(self) -> None:
        """Catch up with the store: a full list the first time (or after compaction), then
        only the changes since the last sync."""
        if self._revision is None:
            self._relist()
            return
        current = self._store.revision()
        try:
            # Only pods and nodes: most changes are Events, not worth decoding here.
            events = self._store.watch(self._revision, kinds=WATCHED)
        except Expired:
            self._relist()
            return
        self._apply(events)
        self._revision = max(current, events[-1].revision if events else current)

    def observe(self, changes: Changes) -> None:
        """Catch up from the manager's decoded changes when they follow on from this cache's
        revision (else `sync` reads the store)."""
        seen = self._revision
        if seen is None and any(e.key.kind in WATCHED for e in changes.events):
            # The scheduler runs after these changes anyway: listing now, while the first pods
            # are being created, spares it decoding them all again at its first run.
            self._relist()
            return
        if seen is None or not changes.follows(seen, WATCHED):
            return
        self._apply(e for e in changes.events if e.revision > seen and e.key.kind in WATCHED)
        self._revision = max(seen, changes.upto)

    def _apply(self, events: Iterable[WatchEvent]) -> None:
        for event in events:
            deleted = event.type is EventType.DELETED
            if event.key.kind == "Pod":
                self._apply_pod(event.key, event.object, deleted=deleted)
            else:
                self._apply_node(event.object, deleted=deleted)

    def assume(self, pod: Obj, demand: Demand) -> None:
        """Record a binding this scheduler just wrote, before its watch event arrives, so the
        next pod of the same batch sees the node's new usage."""
        self._apply_pod(ObjectKey.of(pod), pod, deleted=False, demand=demand)

    def owner_count(self, owner: str | None, node: str) -> int:
        """How many pods of `owner` the node holds (0 for pods without a controller)."""
        return self.owners[owner][node] if owner in self.owners else 0

    def usage_of(self, node: str) -> Usage:
        return self.usage.setdefault(node, Usage())

    # -- applying changes ----------------------------------------------------------------------

    def _relist(self) -> None:
        self._revision = self._store.revision()
        self.nodes.clear()
        self.usage.clear()
        self.placements.clear()
        self.owners.clear()
        self.pending.clear()
        self.fresh.clear()
        for node in self._store.list("Node"):
            self._apply_node(node, deleted=False)
        pods = self._store.list("Pod")
        pods.sort(key=lambda p: p["metadata"].get("creationTimestamp", ""))
        for pod in pods:
            self._apply_pod(ObjectKey.of(pod), pod, deleted=False)
        self.capacity_changed = True

    def _apply_node(self, node: Obj, *, deleted: bool) -> None:
        name = node["metadata"]["name"]
        if deleted:
            self.nodes.pop(name, None)
            self.capacity_changed = True
            return
        facts = NodeFacts.of(node)
        if self.nodes.get(name) != facts:  # heartbeats change nothing the scheduler reads
            self.nodes[name] = facts
            self.usage.setdefault(name, Usage())
            self.capacity_changed = True

    def _apply_pod(
        self, key: ObjectKey, pod: Obj, *, deleted: bool, demand: Demand | None = None
    ) -> None:
        spec = pod.get("spec") or {}
        meta = pod["metadata"]
        phase = (pod.get("status") or {}).get("phase")
        node = spec.get("nodeName") or ""
        old = self.placements.get(key)
        new: Placement | None = None
        if not deleted and node and phase not in FINISHED_PHASES:
            if old is not None and old.node == node:
                demand = old.demand
            new = Placement(node, demand or Demand.of(pod), owner_uid(pod))
        if new != old:
            if old is not None:
                self._place(key, old, sign=-1)
                self.capacity_changed = True
            if new is not None:
                self._place(key, new, sign=1)
        waiting = (
            not deleted
            and not node
            and not meta.get("deletionTimestamp")
            and spec.get("schedulerName", "default-scheduler") == self._scheduler_name
            and phase not in FINISHED_PHASES
        )
        if not waiting:
            self.pending.pop(key, None)
            self.fresh.discard(key)
            return
        before = self.pending.get(key)
        if before is None or before.pod.get("spec") != spec:
            self.fresh.add(key)
            self.pending[key] = Waiting(pod, Demand.of(pod), owner_uid(pod))
        else:
            self.pending[key] = Waiting(pod, before.demand, owner_uid(pod))

    def _place(self, key: ObjectKey, placement: Placement, *, sign: int) -> None:
        self.usage_of(placement.node).add(placement.demand, sign)
        if sign > 0:
            self.placements[key] = placement
        else:
            self.placements.pop(key, None)
        if placement.owner is not None:
            counts = self.owners.setdefault(placement.owner, Counter())
            counts[placement.node] += sign
            if counts[placement.node] <= 0:
                del counts[placement.node]
                if not counts:
                    del self.owners[placement.owner]
