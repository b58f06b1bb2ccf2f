"""The pods replication controllers and replica sets claim, as one informer indexed by owner.

A ReplicationController reconciles every time one of its pods changes (a binding, each status
the kubelet posts); listing and decoding its pods through the store each time cost more than a
tenth of a big cluster's start. `OwnedPods` follows the store instead (api/informer.py), fed by
the manager's decoded changes, indexed by controlling owner uid and, for pods without one, by
namespace (the orphans a controller may adopt). Like client-go's informers with a transform, it
keeps of each pod only what the replication manager reads (`pod_facts`), so following every pod
of a 150,000-pod cluster stays within a few hundred megabytes.

Shared by the RC and RS instances of controllers/replication.py; it reads and never writes.
Pods it hands out are shared and slimmed: callers must not mutate them, and read a pod whole
through the api before writing it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reconciler.api.informer import Changes, Informer
from reconciler.api.metadata import controller_of
from reconciler.cluster.controllers.deletion import DELETION_COST
from reconciler.model.keys import Obj
from reconciler.store.base import Store

OWNER = "owner"
ORPHANS = "orphans"
KINDS = ("Pod",)

_METADATA = (
    "name",
    "namespace",
    "uid",
    "labels",
    "ownerReferences",
    "creationTimestamp",
    "deletionTimestamp",
    "resourceVersion",
)


def pod_facts(pod: Obj) -> Obj:
    """The pod as the replication manager reads it (claiming, counting, ranking for deletion):
    identity, labels, owners, timestamps, the deletion-cost annotation, its node, phase, Ready
    condition and restart counts; the rest (the spec, the other conditions) is dropped."""
    meta = pod.get("metadata") or {}
    kept: dict[str, Any] = {name: meta[name] for name in _METADATA if name in meta}
    cost = (meta.get("annotations") or {}).get(DELETION_COST)
    if cost is not None:
        kept["annotations"] = {DELETION_COST: cost}
    facts: Obj = {"apiVersion": pod.get("apiVersion", "v1"), "kind": "Pod", "metadata": kept}
    node = (pod.get("spec") or {}).get("nodeName")
    facts["spec"] = {"nodeName": node} if node else {}
    status = pod.get("status") or {}
    slim: dict[str, Any] = {}
    if "phase" in status:
        slim["phase"] = status["phase"]
    ready = [c for c in status.get("conditions") or () if c.get("type") == "Ready"]
    if ready:
        slim["conditions"] = ready
    restarts = status.get("containerStatuses")
    if restarts:
        slim["containerStatuses"] = [{"restartCount": s.get("restartCount", 0)} for s in restarts]
    facts["status"] = slim
    return facts


def _owner(pod: Obj) -> Iterable[str]:
    ref = controller_of(pod)
    if ref is not None and ref.get("uid"):
        yield str(ref["uid"])


def _orphan_namespace(pod: Obj) -> Iterable[str]:
    if controller_of(pod) is None and not pod["metadata"].get("deletionTimestamp"):
        yield str(pod["metadata"].get("namespace", ""))


class OwnedPods:
    """Pods by controlling owner, and orphans by namespace, as of the store's latest revision."""

    def __init__(self, store: Store) -> None:
        self._informer = Informer(store, KINDS, transform=pod_facts)
        self._informer.add_index(OWNER, _owner)
        self._informer.add_index(ORPHANS, _orphan_namespace)

    def observe(self, changes: Changes) -> None:
        """Catch up from the manager's decoded changes (see Informer.observe)."""
        self._informer.observe(changes)

    def controlled_by(self, uid: str) -> list[Obj]:
        """The pods whose controller is `uid`, by name."""
        return self._filed(OWNER, uid)

    def orphans(self, namespace: str) -> list[Obj]:
        """The pods of a namespace with no controller and not being deleted, by name."""
        return self._filed(ORPHANS, namespace)

    def _filed(self, index: str, value: str) -> list[Obj]:
        # By name, as a list through the store returned them: ranking pods for deletion keeps
        # the order of pods it cannot tell apart.
        self._informer.sync()
        found = (self._informer.get(key) for key in sorted(self._informer.by_index(index, value)))
        return [pod for pod in found if pod is not None]
