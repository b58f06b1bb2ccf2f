"""ReplicationController and ReplicaSet: keep exactly `spec.replicas` matching pods running.

One implementation for both kinds, as Kubernetes shares it (pkg/controller/replicaset serves
ReplicationControllers through an adapter): the v1 RC selects with a label map, the apps/v1
ReplicaSet with matchLabels/matchExpressions (`selectors.of_workload` reads either). A reconcile
claims pods (adopts matching orphans, releases owned pods whose labels stopped matching; both
found in an informer of pods by owner, controllers/owned_pods.py), creates
missing pods from the template (at most 500 per reconcile, Kubernetes' burst) or deletes surplus
ones in Kubernetes' order (`deletion.py`), and writes status when it changed. Events are the
real ones: SuccessfulCreate "Created pod: x", SuccessfulDelete "Deleted pod: x", FailedCreate.

Built by `replication_controllers(api)` for the assembly; never writes anything but pods' metadata,
new pods, deletions, events and its own kind's status.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from reconciler.api.events import EventRecorder, EventType
from reconciler.api.informer import Changes
from reconciler.api.metadata import controller_of, owner_reference
from reconciler.api.server import Api, copied
from reconciler.clock import rfc3339
from reconciler.cluster.controllers.deletion import is_active, pods_to_delete, ready_since
from reconciler.cluster.controllers.owned_pods import KINDS, OwnedPods
from reconciler.cluster.reconcile import DONE, KeyMapper, Result, itself
from reconciler.errors import ApiError, Conflict, NotFound, ReconcilerError
from reconciler.model.keys import Obj, ObjectKey, labels_of
from reconciler.model.selectors import Selector, of_workload

BURST_REPLICAS = 500
"""Most pods created or deleted by one reconcile (kube-controller-manager's burstReplicas)."""
RETRY_FAILED_CREATE = 10.0

COMPONENTS = {
    "ReplicationController": "replication-controller",
    "ReplicaSet": "replicaset-controller",
}


class ReplicationManager:
    """The control loop of one kind (ReplicationController or ReplicaSet)."""

    def __init__(self, api: Api, *, kind: str, name: str, pods: OwnedPods | None = None) -> None:
        self.name = name
        self._api = api
        self._kind = kind
        self._events = EventRecorder(api, COMPONENTS[kind])
        self._pods = pods or OwnedPods(api.store)

    def watches(self) -> Mapping[str, KeyMapper]:
        return {self._kind: itself, "Pod": self._owners_of_pod}

    def follows(self) -> Collection[str]:
        return KINDS

    def observe(self, changes: Changes) -> None:
        self._pods.observe(changes)

    def _owners_of_pod(self, pod: Obj) -> Iterable[ObjectKey]:
        """The pod's controller of our kind or, for an orphan, every one of our kind in its
        namespace whose selector matches it (candidates for adoption)."""
        namespace = pod["metadata"].get("namespace", "")
        ref = controller_of(pod)
        if ref is not None:
            if ref.get("kind") == self._kind:
                yield ObjectKey(self._kind, namespace, ref["name"])
            return
        if pod["metadata"].get("deletionTimestamp"):
            return
        labels = labels_of(pod)
        for candidate in self._api.list(self._kind, namespace):
            selector = of_workload(candidate)
            if not selector.empty and selector.matches(labels):
                yield ObjectKey.of(candidate)

    def reconcile(self, key: ObjectKey) -> Result:
        owner = self._api.find(key)
        if owner is None or owner["metadata"].get("deletionTimestamp"):
            return DONE
        selector = of_workload(owner)
        if selector.empty:  # would claim every pod; validation refuses it, never act on it
            return DONE
        owned = self._claim(owner, selector)
        active = [pod for pod in owned if is_active(pod)]
        wanted = int(owner["spec"].get("replicas", 1))
        error: str | None = None
        if len(active) < wanted:
            created, error = self._create(owner, wanted - len(active))
            active += created
        elif len(active) > wanted:
            doomed = pods_to_delete(
                active,
                self._related_pods(owner, active),
                count=min(len(active) - wanted, BURST_REPLICAS),
                now=self._api.clock.now(),
            )
            deleted, error = self._delete(owner, doomed)
            active = [pod for pod in active if ObjectKey.of(pod) not in deleted]
        requeue = self._write_status(owner, active, wanted=wanted, error=error)
        if error is not None:
            return Result(requeue_after=RETRY_FAILED_CREATE)
        return Result(requeue_after=requeue)

    # -- claiming ------------------------------------------------------------------------------

    def _claim(self, owner: Obj, selector: Selector) -> list[Obj]:
        """The pods this owner controls after adopting matching orphans and releasing owned
        pods that no longer match (ClaimPods), by name."""
        uid = owner["metadata"]["uid"]
        owned: list[Obj] = []
        for pod in self._pods.controlled_by(uid):
            if selector.matches(labels_of(pod)):
                owned.append(pod)
            else:
                self._release(ObjectKey.of(pod), uid, selector)
        adopted = False
        for orphan in self._pods.orphans(owner["metadata"]["namespace"]):
            if selector.matches(labels_of(orphan)):
                claimed = self._adopt(owner, ObjectKey.of(orphan), selector)
                if claimed is not None:
                    owned.append(claimed)
                    adopted = True
        if adopted:
            owned.sort(key=ObjectKey.of)
        return owned

    def _adopt(self, owner: Obj, key: ObjectKey, selector: Selector) -> Obj | None:
        """Make the owner the pod's controller, if it still is a matching orphan."""
        pod = self._api.find(key)
        if (
            pod is None
            or controller_of(pod) is not None
            or pod["metadata"].get("deletionTimestamp")
            or not selector.matches(labels_of(pod))
        ):
            return None
        pod["metadata"].setdefault("ownerReferences", []).append(owner_reference(owner))
        try:
            return self._api.patch_metadata(pod)
        except (Conflict, NotFound):
            return None  # changed meanwhile: its watch event brings it back

    def _release(self, key: ObjectKey, uid: str, selector: Selector) -> None:
        """Drop the owner from the pod's references, if it still controls a pod that no
        longer matches."""
        pod = self._api.find(key)
        ref = None if pod is None else controller_of(pod)
        if pod is None or ref is None or ref.get("uid") != uid or selector.matches(labels_of(pod)):
            return
        refs = [r for r in pod["metadata"].get("ownerReferences") or () if r.get("uid") != uid]
        if refs:
            pod["metadata"]["ownerReferences"] = refs
        else:
            pod["metadata"].pop("ownerReferences", None)
        try:
            self._api.patch_metadata(pod)
        except (Conflict, NotFound):
            return

    # -- creating and deleting -----------------------------------------------------------------

    def _create(self, owner: Obj, missing: int) -> tuple[list[Obj], str | None]:
        """Create up to the burst limit; the first failure stops the rest (slow start)."""
        created: list[Obj] = []
        for _ in range(min(missing, BURST_REPLICAS)):
            try:
                pod = self._api.create(pod_from_template(owner), handed_over=True)
            except ReconcilerError as failure:
                message = _message(failure)
                self._events.record(
                    owner, EventType.WARNING, "FailedCreate", f"Error creating: {message}"
                )
                return created, message
            created.append(pod)
            self._events.record(
                owner,
                EventType.NORMAL,
                "SuccessfulCreate",
                f"Created pod: {pod['metadata']['name']}",
            )
        return created, None

    def _delete(self, owner: Obj, doomed: list[Obj]) -> tuple[set[ObjectKey], str | None]:
        deleted: set[ObjectKey] = set()
        error: str | None = None
        for pod in doomed:
            key = ObjectKey.of(pod)
            try:
                self._api.delete(key)
            except NotFound:
                deleted.add(key)  # gone already: what we wanted
                continue
            except ReconcilerError as failure:
                error = _message(failure)
                self._events.record(
                    owner, EventType.WARNING, "FailedDelete", f"Error deleting: {error}"
                )
                continue
            deleted.add(key)
            self._events.record(
                owner, EventType.NORMAL, "SuccessfulDelete", f"Deleted pod: {key.name}"
            )
        return deleted, error

    def _related_pods(self, owner: Obj, active: list[Obj]) -> list[Obj]:
        """Pods of every controller that shares this one's controlling owner (the ReplicaSets
        of one Deployment), which decide how crowded a node counts as when scaling down."""
        parent = controller_of(owner)
        if parent is None:
            return active
        namespace = owner["metadata"]["namespace"]
        related = list(active)
        for sibling in self._api.list(self._kind, namespace):
            sibling_ref = controller_of(sibling)
            if sibling["metadata"]["uid"] == owner["metadata"]["uid"] or sibling_ref is None:
                continue
            if sibling_ref.get("uid") != parent.get("uid"):
                continue
            selector = of_workload(sibling)
            for pod in self._pods.controlled_by(sibling["metadata"]["uid"]):
                if selector.matches(labels_of(pod)):
                    related.append(pod)
        return related

    # -- status --------------------------------------------------------------------------------

    def _write_status(
        self, owner: Obj, active: list[Obj], *, wanted: int, error: str | None
    ) -> float | None:
        """Write status when it changed; return when a pod will have been ready long enough to
        count as available, if one is waiting for that."""
        now = self._api.clock.now()
        min_ready = float(owner["spec"].get("minReadySeconds") or 0)
        template_labels = ((owner["spec"].get("template") or {}).get("metadata") or {}).get(
            "labels"
        ) or {}
        ready = available = labelled = 0
        next_available: float | None = None
        for pod in active:
            labels = labels_of(pod)
            if all(labels.get(k) == v for k, v in template_labels.items()):
                labelled += 1
            since = ready_since(pod)
            if since is None:
                continue
            ready += 1
            if since + min_ready <= now:
                available += 1
            else:
                wait = since + min_ready - now
                next_available = wait if next_available is None else min(next_available, wait)
        old = owner.get("status") or {}
        status: dict[str, Any] = {"replicas": len(active)}
        for field, count in (
            ("fullyLabeledReplicas", labelled),
            ("readyReplicas", ready),
            ("availableReplicas", available),
        ):
            if count:  # omitted when zero, as the API's JSON omits empty fields
                status[field] = count
        if owner["metadata"].get("generation"):
            status["observedGeneration"] = owner["metadata"]["generation"]
        conditions = [c for c in old.get("conditions") or () if c.get("type") != "ReplicaFailure"]
        if error is not None:
            previous = next(
                (c for c in old.get("conditions") or () if c.get("type") == "ReplicaFailure"),
                None,
            )
            conditions.append(
                previous
                or {
                    "type": "ReplicaFailure",
                    "status": "True",
                    "lastTransitionTime": rfc3339(now),
                    "reason": "FailedCreate" if len(active) < wanted else "FailedDelete",
                    "message": error,
                }
            )
        if conditions:
            status["conditions"] = conditions
        if status != old:
            self._api.update_status({**owner, "status": status})
        return next_available


def pod_from_template(owner: Obj) -> Obj:
    """A new pod for `owner`: the template's labels, annotations and spec, a name made of the
    owner's name and a random suffix, and a controller reference (GetPodFromTemplate). Nothing
    in it is shared with `owner`, so `_create` hands it over to the api, which keeps it as is."""
    template = owner["spec"].get("template") or {}
    template_meta = template.get("metadata") or {}
    meta: dict[str, Any] = {
        "generateName": f"{owner['metadata']['name']}-",
        "namespace": owner["metadata"]["namespace"],
        "ownerReferences": [owner_reference(owner)],
    }
    for field in ("labels", "annotations", "finalizers"):
        if template_meta.get(field):
            meta[field] = copied(template_meta[field])
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": copied(template.get("spec") or {}),
    }


def _message(failure: ReconcilerError) -> str:
    """The error as the API server words it, without the client's "Error from server" prefix."""
    if isinstance(failure, ApiError) and failure.args:
        return str(failure.args[0])
    return str(failure)


def replication_controllers(api: Api) -> list[ReplicationManager]:
    """The two instances of the one implementation, for the assembly, sharing one cache."""
    pods = OwnedPods(api.store)
    return [
        ReplicationManager(
            api, kind="ReplicationController", name="replicationcontroller", pods=pods
        ),
        ReplicationManager(api, kind="ReplicaSet", name="replicaset", pods=pods),
    ]
