"""Container probes, simulated: what one readiness or liveness probe of a container gets.

An httpGet probe is a request to the program (it counts, so luksa/kubia-unhealthy starts failing
after five requests as in the book); it fails when nothing listens on the port or the answer is
not 2xx/3xx. A tcpSocket (or grpc) probe succeeds when something listens on the port. An exec
probe succeeds while the container runs (the simulation has no file system to look at).
Failure texts are the kubelet's (pkg/kubelet/prober). The kubelet decides when to probe; this
module only answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reconciler.cluster.images import Image


class ProbeKind(StrEnum):
    """The probes a container can have that the simulation runs."""

    READINESS = "Readiness"
    LIVENESS = "Liveness"

    @property
    def field(self) -> str:
        """The container spec field: `readinessProbe`."""
        return f"{self.value.lower()}Probe"


@dataclass(frozen=True)
class Outcome:
    """One probe's result; `request` tells whether the program saw an HTTP request."""

    success: bool
    message: str = ""
    request: bool = False


def probe_port(spec: dict[str, Any], container: dict[str, Any]) -> int | None:
    """The port a probe aims at: a number, or a container port's name."""
    port = spec.get("port")
    if isinstance(port, int):
        return port
    if isinstance(port, str) and port.isdigit():
        return int(port)
    for declared in container.get("ports") or ():
        if declared.get("name") == port:
            return int(declared["containerPort"])
    return None


def run_probe(
    probe: dict[str, Any],
    container: dict[str, Any],
    image: Image,
    *,
    pod_ip: str,
    hostname: str,
    request_number: int,
) -> Outcome:
    """Probe a running container once; `request_number` is the number this request would have
    among the requests the program answered since it started."""
    if "exec" in probe:
        return Outcome(True)
    http = probe.get("httpGet")
    spec = http if http is not None else probe.get("tcpSocket") or probe.get("grpc") or {}
    port = probe_port(spec, container)
    if port is None:
        return Outcome(False, f"port {spec.get('port')!r} not found in the container's ports")
    refused = f"dial tcp {pod_ip}:{port}: connect: connection refused"
    if http is None:
        return Outcome(True) if image.serves(port) else Outcome(False, refused)
    url = f"{http.get('scheme', 'HTTP').lower()}://{pod_ip}:{port}{http.get('path', '/')}"
    if not image.serves(port):
        return Outcome(False, f'Get "{url}": {refused}')
    answer = image.answer(hostname, request_number)
    if 200 <= answer.status < 400:
        return Outcome(True, request=True)
    return Outcome(False, f"HTTP probe failed with statuscode: {answer.status}", request=True)
