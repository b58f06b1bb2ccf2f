"""The endpoints controller: one Endpoints object per service with a selector, listing its pods.

As kube-controller-manager's endpoints controller does (pkg/controller/endpoint): for a service
with a selector, the Endpoints object of the same name (carrying the service's labels) lists the
matching pods that have an IP, are not terminating and have not finished: the Ready ones under
`addresses`, the others under `notReadyAddresses` (all under `addresses` with
publishNotReadyAddresses). Each address has ip, nodeName and a targetRef to the pod. Ports are
the service's ports with targetPort resolved per pod: a number as is, a name looked up in the
pod's container ports (a pod without that port is left out for that port). Pods with the same
resolved ports share a subset, addresses sorted by IP. A service without a selector keeps
whatever Endpoints its user wrote; a deleted service loses its Endpoints.
Writes only Endpoints, and only when they change.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from reconciler.api.informer import Changes, Informer
from reconciler.api.server import Api
from reconciler.cluster.reconcile import DONE, KeyMapper, Result, itself
from reconciler.model.keys import Obj, ObjectKey, labels_of
from reconciler.model.selectors import from_map

Port = tuple[str, int, str]
"""(name, port, protocol) of one endpoint port."""
_FOLLOWED = ("Service", "Endpoints")
"""What its informer follows."""


def is_pod_ready(pod: Obj) -> bool:
    """The pod's Ready condition is True."""
    for condition in (pod.get("status") or {}).get("conditions") or ():
        if condition.get("type") == "Ready":
            return bool(condition.get("status") == "True")
    return False


def resolve_target_port(service_port: Mapping[str, Any], pod: Obj) -> int | None:
    """The pod port a service port sends to: targetPort as a number, or the container port
    of that name (None when the pod has none)."""
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = service_port.get("protocol", "TCP")
    for container in (pod.get("spec") or {}).get("containers") or ():
        for declared in container.get("ports") or ():
            if declared.get("name") == target and declared.get("protocol", "TCP") == protocol:
                return int(declared["containerPort"])
    return None


class EndpointsController:
    """Keeps every selector service's Endpoints equal to its matching pods."""

    name = "endpoints"

    def __init__(self, api: Api) -> None:
        self.api = api
        # Which services select a pod, and which Endpoints list it, answered from indexes:
        # listing every service on every pod change made big clusters quadratic.
        self._services = Informer(api.store, _FOLLOWED)
        self._services.add_index("selects", _selector_pairs)
        self._services.add_index("lists", _listed_pods)

    def watches(self) -> Mapping[str, KeyMapper]:
        return {"Service": itself, "Pod": self._services_of}

    def follows(self) -> Collection[str]:
        return _FOLLOWED

    def observe(self, changes: Changes) -> None:
        self._services.observe(changes)

    def _services_of(self, pod: Obj) -> Iterable[ObjectKey]:
        """The services that select the pod, and those whose Endpoints still list it (its
        labels may have changed)."""
        self._services.sync()
        namespace = pod["metadata"].get("namespace", "")
        labels = labels_of(pod)
        candidates = set().union(
            *(self._services.by_index("selects", f"{namespace}/{k}={v}") for k, v in labels.items())
        )
        for key in candidates:
            service = self._services.get(key)
            if service is not None and from_map(service["spec"]["selector"]).matches(labels):
                yield key
        listed = self._services.by_index("lists", f"{namespace}/{pod['metadata']['name']}")
        for key in listed - candidates:
            yield key._replace(kind="Service")

    def reconcile(self, key: ObjectKey) -> Result:
        endpoints_key = key._replace(kind="Endpoints")
        current = self.api.find(endpoints_key)
        service = self.api.find(key)
        if service is None:
            if current is not None:
                self.api.delete(endpoints_key)
            return DONE
        spec = service.get("spec") or {}
        if not spec.get("selector"):
            return DONE
        pods = self.api.list("Pod", key.namespace, from_map(spec["selector"]))
        subsets = build_subsets(service, pods)
        labels = labels_of(service)
        if current is None:
            wanted: Obj = {
                "apiVersion": "v1",
                "kind": "Endpoints",
                "metadata": {"name": key.name, "namespace": key.namespace},
            }
            if labels:
                wanted["metadata"]["labels"] = labels
            if subsets:
                wanted["subsets"] = subsets
            self.api.create(wanted)
            return DONE
        if current.get("subsets", []) == subsets and labels_of(current) == labels:
            return DONE
        if subsets:
            current["subsets"] = subsets
        else:
            current.pop("subsets", None)
        if labels:
            current["metadata"]["labels"] = labels
        else:
            current["metadata"].pop("labels", None)
        self.api.update(current)
        return DONE


def _serves(pod: Obj, *, publish_not_ready: bool) -> bool:
    """ShouldPodBeInEndpoints: has an IP, not finished, not terminating (unless published)."""
    status = pod.get("status") or {}
    if not status.get("podIP") or status.get("phase") in ("Succeeded", "Failed"):
        return False
    return publish_not_ready or not pod["metadata"].get("deletionTimestamp")


def build_subsets(service: Obj, pods: Iterable[Obj]) -> list[dict[str, Any]]:
    """The `subsets` of the service's Endpoints for these (matching) pods."""
    spec = service.get("spec") or {}
    publish = bool(spec.get("publishNotReadyAddresses"))
    groups: dict[tuple[Port, ...], dict[str, list[dict[str, Any]]]] = {}
    for pod in pods:
        if not _serves(pod, publish_not_ready=publish):
            continue
        ports: list[Port] = []
        for service_port in spec.get("ports") or ():
            target = resolve_target_port(service_port, pod)
            if target is not None:
                protocol = service_port.get("protocol", "TCP")
                ports.append((service_port.get("name") or "", target, protocol))
        if not ports:
            continue
        group = groups.setdefault(tuple(sorted(ports)), {"ready": [], "not_ready": []})
        which = "ready" if publish or is_pod_ready(pod) else "not_ready"
        group[which].append(_address(pod))
    subsets = []
    for ports_key, group in sorted(groups.items()):
        subset: dict[str, Any] = {}
        if group["ready"]:
            subset["addresses"] = sorted(group["ready"], key=_by_ip)
        if group["not_ready"]:
            subset["notReadyAddresses"] = sorted(group["not_ready"], key=_by_ip)
        subset["ports"] = [_port(name, port, protocol) for name, port, protocol in ports_key]
        subsets.append(subset)
    return subsets


def _address(pod: Obj) -> dict[str, Any]:
    meta = pod["metadata"]
    address: dict[str, Any] = {"ip": pod["status"]["podIP"]}
    if pod["spec"].get("nodeName"):
        address["nodeName"] = pod["spec"]["nodeName"]
    address["targetRef"] = {
        "kind": "Pod",
        "name": meta["name"],
        "namespace": meta.get("namespace", ""),
        "uid": meta.get("uid", ""),
    }
    return address


def _port(name: str, port: int, protocol: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"port": port, "protocol": protocol}
    if name:
        entry = {"name": name, **entry}
    return entry


def _by_ip(address: Mapping[str, Any]) -> tuple[int, str]:
    return int(ipaddress.IPv4Address(address["ip"])), address["targetRef"]["name"]


def _selector_pairs(obj: Obj) -> Iterable[str]:
    """Index values of a service: `namespace/key=value` for each pair of its selector."""
    if obj["kind"] != "Service":
        return
    namespace = obj["metadata"].get("namespace", "")
    for key, value in ((obj.get("spec") or {}).get("selector") or {}).items():
        yield f"{namespace}/{key}={value}"


def _listed_pods(obj: Obj) -> Iterable[str]:
    """Index values of an Endpoints object: `namespace/pod` for each pod it lists."""
    if obj["kind"] != "Endpoints":
        return
    namespace = obj["metadata"].get("namespace", "")
    for name in _pod_names(obj):
        yield f"{namespace}/{name}"


def _pod_names(endpoints: Obj) -> set[str]:
    names = set()
    for subset in endpoints.get("subsets") or ():
        for field in ("addresses", "notReadyAddresses"):
            for address in subset.get(field) or ():
                names.add((address.get("targetRef") or {}).get("name", ""))
    return names
