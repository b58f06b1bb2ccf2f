"""What the api server does to Services alone: the cluster IP and node ports they hold.

Called by `Api` (api/server.py) on create, update and delete of a Service, inside the store
transaction of that write, so that a value is reserved exactly when the object holding it is
stored. Values are reserved through `Allocator`s (api/allocation.py); nothing here writes objects.
"""

from __future__ import annotations

import random

from reconciler.api.allocation import CLUSTER_IPS, NODE_PORTS, Allocator
from reconciler.errors import Invalid
from reconciler.model.keys import Obj, ObjectKey
from reconciler.store.base import Store


class ServiceAddresses:
    """The cluster IPs and node ports of Services, as the API server allocates them."""

    def __init__(self, store: Store, rng: random.Random) -> None:
        self._cluster_ips = Allocator(store, CLUSTER_IPS, rng)
        self._node_ports = Allocator(store, NODE_PORTS, rng)

    def allocate(self, obj: Obj, *, previous: Obj | None, dry_run: bool) -> None:
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

    def release(self, obj: Obj) -> None:
        """Give back what a deleted service held (and a create that failed reserved)."""
        spec = obj.get("spec") or {}
        if spec.get("clusterIP") not in (None, "", "None"):
            self._cluster_ips.release(spec["clusterIP"])
        for port in spec.get("ports") or ():
            if port.get("nodePort"):
                self._node_ports.release(port["nodePort"])


def drop_type_dependent_fields(service: Obj, old: Obj) -> None:
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
