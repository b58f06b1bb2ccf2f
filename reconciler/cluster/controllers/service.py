"""The service controller: load balancers for LoadBalancer services, as a cloud (or MetalLB on a
laptop) provides them.

A LoadBalancer service gets an external IP from `LOAD_BALANCER_IPS` (the one it asks for in
`spec.loadBalancerIP`, if free) in `status.loadBalancer.ingress[].ip`, with the service
controller's events EnsuringLoadBalancer / EnsuredLoadBalancer; the IP is released when the
service is deleted or stops being a LoadBalancer (DeletingLoadBalancer / DeletedLoadBalancer).
Which IP a service holds is also kept in the meta entry `lb/<namespace>/<name>`, so it can be
released after the service is gone. Cluster IPs and node ports are the api's, not this module's.
"""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.api.allocation import LOAD_BALANCER_IPS, Allocator
from reconciler.api.events import EventRecorder, EventType
from reconciler.api.server import Api
from reconciler.cluster.reconcile import DONE, KeyMapper, Result, itself
from reconciler.errors import Invalid
from reconciler.model.keys import Obj, ObjectKey


def _entry(key: ObjectKey) -> str:
    return f"lb/{key.namespace}/{key.name}"


def external_ips(service: Obj) -> list[str]:
    """The load balancer's ingress IPs of a service (empty while `<pending>`)."""
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    return [entry["ip"] for entry in ingress if entry.get("ip")]


class ServiceController:
    """Provisions and releases load-balancer IPs."""

    name = "service"

    def __init__(self, api: Api) -> None:
        self.api = api
        self._allocator = Allocator(api.store, LOAD_BALANCER_IPS, api.rng)
        self._events = EventRecorder(api, "service-controller")

    def watches(self) -> Mapping[str, KeyMapper]:
        return {"Service": itself}

    def reconcile(self, key: ObjectKey) -> Result:
        held = self.api.store.get_meta(_entry(key)) or ""
        service = self.api.find(key)
        wants = service is not None and (service.get("spec") or {}).get("type") == "LoadBalancer"
        if service is None or not wants:
            if held:
                if service is not None:
                    self._events.record(
                        service, EventType.NORMAL, "DeletingLoadBalancer", "Deleting load balancer"
                    )
                self._allocator.release(held)
                self.api.store.set_meta(_entry(key), "")
                if service is not None:
                    service["status"]["loadBalancer"] = {}
                    service = self.api.update_status(service)
                    self._events.record(
                        service, EventType.NORMAL, "DeletedLoadBalancer", "Deleted load balancer"
                    )
            return DONE
        assert service is not None
        if held and external_ips(service) == [held]:
            return DONE
        self._events.record(
            service, EventType.NORMAL, "EnsuringLoadBalancer", "Ensuring load balancer"
        )
        if not held:
            wanted = (service.get("spec") or {}).get("loadBalancerIP") or None
            try:
                held = self._allocator.allocate(str(key), wanted)
            except Invalid as error:  # the asked-for IP is taken or outside the pool
                self._events.record(
                    service,
                    EventType.WARNING,
                    "SyncLoadBalancerFailed",
                    f"Error syncing load balancer: failed to ensure load balancer: {error.args[0]}",
                )
                return DONE
            self.api.store.set_meta(_entry(key), held)
        service.setdefault("status", {})["loadBalancer"] = {
            "ingress": [{"ip": held, "ipMode": "VIP"}]
        }
        service = self.api.update_status(service)
        self._events.record(
            service, EventType.NORMAL, "EnsuredLoadBalancer", "Ensured load balancer"
        )
        return DONE
