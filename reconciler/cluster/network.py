"""Request routing: what `curl` to a service, a cluster IP, an external IP, a node port or a pod IP
gets back, as kube-proxy and the pods' programs would answer it.

`request` resolves the target to a service port (or straight to a pod), then, per request, picks
one of the service's ready endpoints at random as kube-proxy's iptables rules do (`api.rng`), or
the same one as last time for a client within `sessionAffinityConfig.clientIP.timeoutSeconds`
when the service has ClientIP affinity (kept in the meta entry
`affinity/<namespace>/<service>/<client>`). The chosen pod's program answers (cluster/images.py:
the n-th request it has seen since its container started, probes included) and logs the request
(cluster/logs.py). What fails fails as curl says it: no ready endpoint or nothing listening →
connection refused; a pod on a stopped node → timed out.

The address a pod sees: the client's for cluster IPs and pod IPs; for node ports and load
balancers with externalTrafficPolicy Cluster, kube-proxy's SNAT makes it the pod's node bridge
(`10.244.N.1`). All requests of one call happen at the same simulated instant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from reconciler.api.server import Api
from reconciler.cluster import containers, logs
from reconciler.cluster.containers import PodRuntime
from reconciler.cluster.controllers.service import external_ips
from reconciler.cluster.ipam import gateway
from reconciler.cluster.kubelet import host_ip
from reconciler.cluster.lifecycle import image_of
from reconciler.cluster.node_failure import KubeletState, kubelet_state
from reconciler.errors import UsageError
from reconciler.model.keys import Obj, ObjectKey

CLIENT_IP = "172.18.0.1"
"""Where requests come from by default: the user's machine on the nodes' network."""


@dataclass(frozen=True)
class Reply:
    """One request's outcome: an HTTP answer from a pod, or curl's error."""

    status: int | None
    """HTTP status, or None when no connection was made."""
    body: str
    """The answer's body, or curl's error line."""
    pod: str | None = None
    exit_code: int = 0
    """curl's exit code: 7 refused, 28 timed out."""


@dataclass
class _Route:
    host: str
    port: int
    service: Obj | None = None
    service_port: dict[str, Any] | None = None
    pod: Obj | None = None
    snat: bool = False


def request(
    api: Api,
    target: str,
    *,
    count: int = 1,
    client_ip: str = CLIENT_IP,
    namespace: str = "default",
) -> list[Reply]:
    """Send `count` requests to `target`: `svc/NAME[:PORT]` (in `namespace`), or
    `[http://]HOST[:PORT][/path]` where HOST is a cluster IP, an external IP, a node IP (with a
    node port) or a pod IP. Raises NotFound for an unknown service, UsageError for a bad target."""
    with api.store.transaction():
        route = _resolve(api, target, namespace)
        session = _Session(api, client_ip)
        replies = [session.send(route) for _ in range(count)]
        session.flush()
        return replies


def _resolve(api: Api, target: str, namespace: str) -> _Route:
    text = target.removeprefix("http://")
    kind, slash, rest = text.partition("/")
    if slash and kind.lower() in ("svc", "service", "services"):
        name, _, port_text = rest.partition(":")
        service = api.get(ObjectKey("Service", namespace, name))
        ports = service["spec"].get("ports") or []
        chosen = _pick_port(ports, port_text)
        if chosen is None:
            raise UsageError(f'service "{name}" has no port {port_text or "at all"}')
        return _Route(service["spec"].get("clusterIP", ""), int(chosen["port"]), service, chosen)
    host, _, port_text = text.partition("/")[0].partition(":")
    if not host:
        raise UsageError(f"no host in {target!r}")
    if port_text and not port_text.isdigit():
        raise UsageError(f"port number {port_text!r} is not a number")
    port = int(port_text or 80)
    for service in api.list("Service"):
        spec = service.get("spec") or {}
        for service_port in spec.get("ports") or ():
            if host == spec.get("clusterIP") and service_port.get("port") == port:
                return _Route(host, port, service, service_port)
            if host in external_ips(service) and service_port.get("port") == port:
                return _Route(host, port, service, service_port, snat=_snat(spec))
            if service_port.get("nodePort") == port and _is_node_ip(api, host):
                return _Route(host, port, service, service_port, snat=_snat(spec))
    for pod in api.list("Pod"):
        if (pod.get("status") or {}).get("podIP") == host:
            return _Route(host, port, pod=pod)
    return _Route(host, port)


def _pick_port(ports: list[dict[str, Any]], wanted: str) -> dict[str, Any] | None:
    if not wanted:
        return ports[0] if ports else None
    for port in ports:
        if wanted in (port.get("name"), str(port.get("port"))):
            return port
    return None


def _snat(spec: dict[str, Any]) -> bool:
    return bool(spec.get("externalTrafficPolicy", "Cluster") == "Cluster")


def _is_node_ip(api: Api, address: str) -> bool:
    """Whether `address` is a node's InternalIP."""
    return any(host_ip(node) == address for node in api.list("Node"))


class _Session:
    """The requests of one call: shared reads, one write per touched pod at the end."""

    def __init__(self, api: Api, client_ip: str) -> None:
        self.api = api
        self.client_ip = client_ip
        self.records: dict[ObjectKey, PodRuntime] = {}
        self.lines: dict[tuple[ObjectKey, str], list[str]] = {}
        self.pods: dict[ObjectKey, Obj] = {}

    def send(self, route: _Route) -> Reply:
        refused = Reply(
            None,
            f"curl: (7) Failed to connect to {route.host} port {route.port}: Connection refused",
            exit_code=7,
        )
        if route.pod is not None:
            return self._deliver(route, ObjectKey.of(route.pod), route.port, refused)
        if route.service is None or route.service_port is None:
            return refused
        endpoints = self._endpoints(route.service, route.service_port)
        if not endpoints:
            return refused
        choice = self._choose(route.service, endpoints)
        return self._deliver(route, choice[0], choice[1], refused)

    def _endpoints(self, service: Obj, port: dict[str, Any]) -> list[tuple[ObjectKey, int]]:
        """Ready (pod, port) pairs behind one service port, in the Endpoints' order."""
        key = ObjectKey.of(service)
        endpoints = self.api.find(key._replace(kind="Endpoints")) or {}
        name = port.get("name") or ""
        found = []
        for subset in endpoints.get("subsets") or ():
            numbers = [p["port"] for p in subset.get("ports") or () if p.get("name", "") == name]
            for address in subset.get("addresses") or ():
                ref = address.get("targetRef") or {}
                for number in numbers:
                    found.append((ObjectKey("Pod", ref.get("namespace", ""), ref["name"]), number))
        return found

    def _choose(
        self, service: Obj, endpoints: list[tuple[ObjectKey, int]]
    ) -> tuple[ObjectKey, int]:
        spec = service["spec"]
        if spec.get("sessionAffinity") != "ClientIP":
            return self.api.rng.choice(endpoints)
        timeout = float(
            ((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}).get(
                "timeoutSeconds", 10800
            )
        )
        key = ObjectKey.of(service)
        entry = f"affinity/{key.namespace}/{key.name}/{self.client_ip}"
        now = self.api.clock.now()
        saved = json.loads(self.api.store.get_meta(entry) or "{}")
        remembered = (ObjectKey.parse(saved["pod"]), saved["port"]) if saved else None
        if remembered in endpoints and now - saved["last"] <= timeout:
            choice = remembered
        else:
            choice = self.api.rng.choice(endpoints)
        self.api.store.set_meta(
            entry, json.dumps({"pod": str(choice[0]), "port": choice[1], "last": now})
        )
        assert choice is not None
        return choice

    def _deliver(self, route: _Route, key: ObjectKey, port: int, refused: Reply) -> Reply:
        pod = self.pods.get(key) or self.api.find(key)
        if pod is None:
            return refused
        self.pods[key] = pod
        node = self.api.find(ObjectKey("Node", "", pod["spec"].get("nodeName") or ""))
        if node is None or kubelet_state(node) is KubeletState.STOPPED:
            return Reply(
                None,
                f"curl: (28) Failed to connect to {route.host} port "
                f"{route.port}: Connection timed out",
                exit_code=28,
            )
        record = self.records.get(key) or containers.load(self.api.store, key)
        if record is None or record.uid != pod["metadata"].get("uid"):
            return refused
        self.records[key] = record
        for spec in pod["spec"].get("containers") or ():
            state = record.containers.get(spec["name"])
            image = image_of(spec)
            if state is None or not state.running or not image.serves(port):
                continue
            state.requests += 1
            hostname = str(pod["spec"].get("hostname") or key.name)
            answer = image.answer(hostname, state.requests)
            if image.request_log:
                seen = gateway(node) if route.snat else self.client_ip
                line = image.request_log.format(client=seen)
                self.lines.setdefault((key, spec["name"]), []).append(line)
            return Reply(answer.status, answer.body, pod=key.name)
        return refused

    def flush(self) -> None:
        """Keep the request counts and log lines of every pod that answered."""
        for key, record in self.records.items():
            containers.save(self.api.store, key, record)
        for (key, container), lines in self.lines.items():
            logs.append(self.api, self.pods[key], container, lines)
