"""The api: the one door to the store, like the Kubernetes API server.

Everything that writes objects (the CLI, the daemon, the controllers) goes through `Api`: it
defaults, validates and admits objects, owns their metadata (uid, timestamps, generation, names
from generateName), allocates cluster IPs and node ports, enforces optimistic concurrency, and
deletes with Kubernetes' semantics (graceful pod termination, cascading to owned objects).
It never runs control loops; those live in `cluster/`.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from enum import StrEnum

from reconciler.api import metadata
from reconciler.api.allocation import CLUSTER_IPS, NODE_PORTS, Allocator
from reconciler.api.defaults import apply_defaults
from reconciler.clock import Clock, rfc3339
from reconciler.errors import AlreadyExists, Conflict, Invalid, NotFound
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.kinds import BY_KIND, kind_info
from reconciler.model.selectors import EVERYTHING, Selector
from reconciler.store.base import Store

Validator = Callable[[Obj], None]
"""Raises `Invalid` when an object breaks a rule; the api runs it after defaulting."""

DEPENDENT_KINDS = ("ReplicaSet", "Pod", "Endpoints")
"""Kinds that can carry ownerReferences to something a user deletes."""


class Propagation(StrEnum):
    """What deleting an owner does to its dependents (`kubectl delete --cascade`)."""

    BACKGROUND = "Background"
    ORPHAN = "Orphan"


def _no_validation(obj: Obj) -> None:
    """Accept anything schema-shaped; used where the caller validated already."""


class Api:
    """CRUD with Kubernetes semantics over a `Store`."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        rng: random.Random | None = None,
        validator: Validator = _no_validation,
    ) -> None:
        self.store = store
        self.clock = clock
        self.rng = rng or random.Random()
        self._validate = validator
        self._cluster_ips = Allocator(store, CLUSTER_IPS, self.rng)
        self._node_ports = Allocator(store, NODE_PORTS, self.rng)

    # -- reads ---------------------------------------------------------------------------------

    def get(self, key: ObjectKey) -> Obj:
        """The object, or NotFound in kubectl's words (`pods "x" not found`)."""
        obj = self.store.get(key)
        if obj is None:
            raise NotFound(f'{kind_info(key.kind).plural} "{key.name}" not found')
        return obj

    def find(self, key: ObjectKey) -> Obj | None:
        """The object or None, for controllers that expect absence."""
        return self.store.get(key)

    def list(
        self, kind: str, namespace: str | None = None, selector: Selector = EVERYTHING
    ) -> list[Obj]:
        """Objects of a kind; namespace None means all namespaces."""
        return self.store.list(kind, namespace, selector)

    # -- writes --------------------------------------------------------------------------------

    def create(self, obj: Obj, *, dry_run: bool = False, validated: bool = False) -> Obj:
        """Admit a new object: defaults, validation (not when the caller `validated` it, as
        apply does with manifests from clean files), metadata, allocations; then store it."""
        obj = copy.deepcopy(obj)
        info = kind_info(obj.get("kind", ""))
        obj["apiVersion"] = info.api_version
        meta = obj.setdefault("metadata", {})
        self._place_in_namespace(obj, namespaced=info.namespaced)
        apply_defaults(obj)
        if not meta.get("name"):
            if not meta.get("generateName"):
                raise Invalid(
                    f"{info.kind} is invalid: metadata.name: Required value: name or "
                    "generateName is required"
                )
            meta["name"] = self._free_name(obj)
        if not validated:
            self._validate(obj)
        with self.store.transaction():
            if self.store.get(ObjectKey.of(obj)) is not None:
                raise AlreadyExists(f'{info.plural} "{meta["name"]}" already exists')
            metadata.stamp_new(obj, now=self.clock.now(), rng=self.rng)
            self._initial_status(obj)
            if info.kind == "Service":
                self._allocate_service(obj, previous=None, dry_run=dry_run)
            if dry_run:
                return obj
            return self.store.create(obj)

    def update(self, obj: Obj, *, dry_run: bool = False) -> Obj:
        """Replace spec and metadata (status is kept: it has its own door, `update_status`).
        A resourceVersion in `obj` makes it a compare-and-swap."""
        obj = copy.deepcopy(obj)
        key = ObjectKey.of(obj)
        with self.store.transaction():
            old = self.get(key)
            obj["apiVersion"] = kind_info(key.kind).api_version
            apply_defaults(obj)
            if key.kind == "Service":
                _drop_type_dependent_fields(obj, old)
            metadata.carry_over(obj, old)
            if "status" in old:
                obj["status"] = old["status"]
            else:
                obj.pop("status", None)
            self._validate(obj)
            if key.kind == "Service":
                self._allocate_service(obj, previous=old, dry_run=dry_run)
            if dry_run:
                return obj
            return self.store.update(obj)

    def update_status(self, obj: Obj) -> Obj:
        """Replace only the status (what controllers and kubelets report); compare-and-swap
        when `obj` carries a resourceVersion."""
        key = ObjectKey.of(obj)
        with self.store.transaction():
            current = self.get(key)
            # No copies here or below: `current` is our own read, and the store keeps only
            # the text it encodes, never the dictionaries it is given.
            current["status"] = obj.get("status") or {}
            expected = obj.get("metadata", {}).get("resourceVersion")
            if expected:
                current["metadata"]["resourceVersion"] = expected
            return self.store.update(current)

    def patch_metadata(self, obj: Obj) -> Obj:
        """Write labels, annotations and ownerReferences changed by a controller (adoption,
        release) without touching spec or status; compare-and-swap on resourceVersion."""
        key = ObjectKey.of(obj)
        with self.store.transaction():
            current = self.get(key)
            for field in ("labels", "annotations", "ownerReferences", "finalizers"):
                if field in obj["metadata"]:
                    current["metadata"][field] = obj["metadata"][field]
                else:
                    current["metadata"].pop(field, None)
            current["metadata"]["resourceVersion"] = obj["metadata"].get("resourceVersion", "")
            return self.store.update(current)

    def bind(self, pod_key: ObjectKey, node_name: str, *, uid: str | None = None) -> Obj:
        """Assign a pending pod to a node in one write, as the pods/binding subresource does:
        spec.nodeName and the PodScheduled condition (True) together, generation untouched
        (the binding bypasses the pod update strategy that bumps it). Conflict when the pod is
        bound already, being deleted or, given `uid`, replaced by another of the same name."""
        with self.store.transaction():
            pod = self.get(pod_key)
            meta, spec = pod["metadata"], pod.setdefault("spec", {})
            refusal = None
            if uid is not None and meta.get("uid") != uid:
                refusal = f"Precondition failed: UID in precondition: {uid}, UID in object meta: "
                refusal += str(meta.get("uid", ""))
            elif meta.get("deletionTimestamp"):
                refusal = f"pod {pod_key.name} is being deleted, cannot be assigned to a host"
            elif spec.get("nodeName"):
                refusal = f'pod {pod_key.name} is already assigned to node "{spec["nodeName"]}"'
            if refusal is not None:
                raise Conflict(
                    f'Operation cannot be fulfilled on pods/binding "{pod_key.name}": {refusal}'
                )
            spec["nodeName"] = node_name
            scheduled = {"type": "PodScheduled", "status": "True", "lastProbeTime": None}
            scheduled["lastTransitionTime"] = rfc3339(self.clock.now())
            conditions = pod.setdefault("status", {}).setdefault("conditions", [])
            types = [condition.get("type") for condition in conditions]
            if "PodScheduled" in types:  # False while it waited: replaced where it stands
                conditions[types.index("PodScheduled")] = scheduled
            else:
                conditions.append(scheduled)
            return self.store.update(pod)

    def delete(
        self,
        key: ObjectKey,
        *,
        propagation: Propagation = Propagation.BACKGROUND,
        grace_period: int | None = None,
        dry_run: bool = False,
    ) -> Obj:
        """Delete as Kubernetes does. A pod bound to a node is only marked (deletionTimestamp;
        it shows Terminating) and its kubelet removes it once its containers stopped, unless
        `grace_period` is 0. Owned objects are deleted too, or orphaned."""
        with self.store.transaction():
            obj = self.get(key)
            if dry_run:
                return obj
            if key.kind == "Pod" and self._terminates_gracefully(obj, grace_period):
                return self._mark_terminating(obj, grace_period)
            if key.kind == "Namespace":
                self._empty_namespace(key.name)
            removed = self.store.delete(key)
            self._release(removed)
            self._cascade(removed, propagation)
            return removed

    # -- helpers -------------------------------------------------------------------------------

    def _place_in_namespace(self, obj: Obj, *, namespaced: bool) -> None:
        meta = obj["metadata"]
        if not namespaced:
            meta.pop("namespace", None)
            return
        namespace = meta.setdefault("namespace", "default")
        if self.store.get(ObjectKey("Namespace", "", namespace)) is None:
            raise NotFound(f'namespaces "{namespace}" not found')

    def _free_name(self, obj: Obj) -> str:
        base = obj["metadata"]["generateName"]
        key = ObjectKey.of({**obj, "metadata": {**obj["metadata"], "name": base}})
        for _ in range(16):
            name = metadata.generated_name(base, self.rng)
            if self.store.get(key._replace(name=name)) is None:
                return name
        raise AlreadyExists(f"could not generate a free name from {base!r}")

    @staticmethod
    def _initial_status(obj: Obj) -> None:
        if obj["kind"] == "Pod":
            obj["status"] = {"phase": "Pending", "qosClass": _qos_class(obj)}
        elif obj["kind"] == "Namespace":
            obj["status"] = {"phase": "Active"}
        elif obj["kind"] in ("ReplicationController", "ReplicaSet"):
            obj["status"] = {"replicas": 0}
        elif obj["kind"] == "Service":
            obj["status"] = {"loadBalancer": {}}
        elif obj["kind"] == "Deployment":
            obj["status"] = {}

    def _allocate_service(self, obj: Obj, *, previous: Obj | None, dry_run: bool) -> None:
        """Cluster IP once for the service's life; node ports for NodePort and LoadBalancer.
        A dry run picks values without reserving or releasing any."""
        spec = obj["spec"]
        owner = str(ObjectKey.of(obj))
        old_spec = (previous or {}).get("spec") or {}
        if previous is not None and old_spec.get("clusterIP"):
            wanted = spec.get("clusterIP")
            if wanted not in (None, "", old_spec["clusterIP"]):
                raise Invalid(
                    f'Service "{obj["metadata"]["name"]}" is invalid: spec.clusterIPs[0]: '
                    'Invalid value: []string{"' + str(wanted) + '"}: may not change once set'
                )
            spec["clusterIP"] = old_spec["clusterIP"]
        elif spec.get("clusterIP") != "None":
            spec["clusterIP"] = self._cluster_ips.allocate(
                owner, spec.get("clusterIP") or None, dry_run=dry_run
            )
        if spec["clusterIP"] != "None":
            spec["clusterIPs"] = [spec["clusterIP"]]
        old_ports = {
            (p.get("port"), p.get("protocol", "TCP")): p.get("nodePort")
            for p in old_spec.get("ports") or ()
        }
        wants_node_ports = spec.get("type") in ("NodePort", "LoadBalancer")
        # A LoadBalancer with allocateLoadBalancerNodePorts: false gets node ports only where
        # asked for (or already held: turning it off releases none, as in Kubernetes).
        allocates = spec.get("type") == "NodePort" or (
            wants_node_ports and spec.get("allocateLoadBalancerNodePorts") is not False
        )
        for port in spec.get("ports") or ():
            old = old_ports.pop((port.get("port"), port.get("protocol", "TCP")), None)
            if not wants_node_ports:
                port.pop("nodePort", None)
                if old and not dry_run:
                    self._node_ports.release(old)
            elif port.get("nodePort") in (None, old):
                if old or allocates:
                    port["nodePort"] = int(old or self._node_ports.allocate(owner, dry_run=dry_run))
            else:
                if old and not dry_run:
                    self._node_ports.release(old)
                port["nodePort"] = int(
                    self._node_ports.allocate(owner, port["nodePort"], dry_run=dry_run)
                )
        for stale in old_ports.values():
            if stale and not dry_run:
                self._node_ports.release(stale)

    def _release(self, obj: Obj) -> None:
        if obj["kind"] != "Service":
            return
        spec = obj.get("spec") or {}
        if spec.get("clusterIP") not in (None, "", "None"):
            self._cluster_ips.release(spec["clusterIP"])
        for port in spec.get("ports") or ():
            if port.get("nodePort"):
                self._node_ports.release(port["nodePort"])

    @staticmethod
    def _terminates_gracefully(pod: Obj, grace_period: int | None) -> bool:
        if grace_period == 0 or not (pod.get("spec") or {}).get("nodeName"):
            return False
        return pod.get("status", {}).get("phase") not in ("Succeeded", "Failed")

    def _mark_terminating(self, pod: Obj, grace_period: int | None) -> Obj:
        meta = pod["metadata"]
        if meta.get("deletionTimestamp"):
            return pod
        grace = grace_period
        if grace is None:
            grace = int(pod["spec"].get("terminationGracePeriodSeconds", 30))
        meta["deletionTimestamp"] = rfc3339(self.clock.now() + grace)
        meta["deletionGracePeriodSeconds"] = grace
        return self.store.update(pod)

    def _cascade(self, owner: Obj, propagation: Propagation) -> None:
        uid = owner["metadata"].get("uid")
        namespace = owner["metadata"].get("namespace")
        if not uid or not namespace:
            return
        for kind in DEPENDENT_KINDS:
            for dependent in self.store.list(kind, namespace):
                refs = dependent["metadata"].get("ownerReferences") or []
                if not any(ref.get("uid") == uid for ref in refs):
                    continue
                if propagation is Propagation.ORPHAN:
                    kept = [ref for ref in refs if ref.get("uid") != uid]
                    if kept:
                        dependent["metadata"]["ownerReferences"] = kept
                    else:
                        dependent["metadata"].pop("ownerReferences")
                    self.store.update(dependent)
                else:
                    self.delete(ObjectKey.of(dependent), propagation=propagation)

    def _empty_namespace(self, namespace: str) -> None:
        for info in BY_KIND.values():
            if not info.namespaced:
                continue
            for obj in self.store.list(info.kind, namespace):
                if self.store.get(ObjectKey.of(obj)) is not None:
                    self.delete(ObjectKey.of(obj), grace_period=0)


def _drop_type_dependent_fields(service: Obj, old: Obj) -> None:
    """When an update turns a NodePort or LoadBalancer service into a type with no use for them,
    clear the node ports, externalTrafficPolicy and allocateLoadBalancerNodePorts the client
    left as they were, instead of refusing them (the API server's dropTypeDependentFields,
    pkg/registry/core/service/strategy.go): `apply` of `type: ClusterIP` must just work."""
    spec, old_spec = service.get("spec") or {}, old.get("spec") or {}
    node_port_types = ("NodePort", "LoadBalancer")
    if old_spec.get("type") in node_port_types and spec.get("type") not in node_port_types:
        held = {
            (p.get("port"), p.get("protocol", "TCP")): p.get("nodePort")
            for p in old_spec.get("ports") or ()
        }
        ports = spec.get("ports") or []
        if all(
            p.get("nodePort") in (None, held.get((p.get("port"), p.get("protocol", "TCP"))))
            for p in ports
        ):
            for port in ports:
                port.pop("nodePort", None)
        if spec.get("externalTrafficPolicy") == old_spec.get("externalTrafficPolicy"):
            spec.pop("externalTrafficPolicy", None)
    same_allocation = spec.get("allocateLoadBalancerNodePorts") == old_spec.get(
        "allocateLoadBalancerNodePorts"
    )
    left_load_balancing = old_spec.get("type") == "LoadBalancer" != spec.get("type")
    if left_load_balancing and same_allocation:
        spec.pop("allocateLoadBalancerNodePorts", None)


def _qos_class(pod: Obj) -> str:
    """Guaranteed when every container's requests equal its limits for cpu and memory;
    BestEffort when none sets any; Burstable otherwise."""
    containers = (pod.get("spec") or {}).get("containers") or []
    resources = [c.get("resources") or {} for c in containers]
    if not any(r.get("requests") or r.get("limits") for r in resources):
        return "BestEffort"
    for r in resources:
        limits = r.get("limits") or {}
        requests = {**limits, **(r.get("requests") or {})}
        if any(
            limits.get(name) is None or requests.get(name) != limits.get(name)
            for name in ("cpu", "memory")
        ):
            return "Burstable"
    return "Guaranteed"
