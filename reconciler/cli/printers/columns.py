"""The cells of one `kubectl get` row, per kind, formatted exactly as kubectl formats them.

Each function ports the matching printX of kubernetes/kubernetes
pkg/printers/internalversion/printers.go and returns the cells in the order of the kind's header
in the kinds registry (`KindInfo.header`); `table.py` adds NAMESPACE and LABELS around them.
Pure: an object dict and the simulated "now" in, strings out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reconciler.clock import parse_rfc3339
from reconciler.model.ages import since
from reconciler.model.keys import Obj
from reconciler.model.podstatus import summarize

NONE = "<none>"
LOAD_BALANCER_WIDTH = 16
"""kubectl cuts EXTERNAL-IP of a load balancer to this many characters unless `-o wide`."""
ENDPOINTS_SHOWN = 3
NODE_ROLE_PREFIX = "node-role.kubernetes.io/"
NODE_ROLE_LABEL = "kubernetes.io/role"

Cells = Callable[[Obj, float, bool], list[str]]
"""(object, now, wide) -> the row's cells."""


def format_labels(labels: Mapping[str, str] | None) -> str:
    """labels.FormatLabels: `a=b,c=d` sorted by key, `<none>` when empty."""
    if not labels:
        return NONE
    return ",".join(f"{key}={labels[key]}" for key in sorted(labels))


def format_label_selector(selector: Mapping[str, Any] | None) -> str:
    """metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key; "" if empty."""
    requirements: list[tuple[str, str]] = []
    for key, value in ((selector or {}).get("matchLabels") or {}).items():
        requirements.append((key, f"{key}={value}"))
    for expression in (selector or {}).get("matchExpressions") or ():
        key = expression.get("key", "")
        values = ",".join(sorted(expression.get("values") or ()))
        operator = expression.get("operator")
        text = {
            "In": f"{key} in ({values})",
            "NotIn": f"{key} notin ({values})",
            "Exists": key,
            "DoesNotExist": f"!{key}",
        }.get(str(operator), key)
        requirements.append((key, text))
    return ",".join(text for _, text in sorted(requirements, key=lambda pair: pair[0]))


def _containers(template_spec: Mapping[str, Any]) -> tuple[str, str]:
    containers = template_spec.get("containers") or ()
    return (
        ",".join(c.get("name", "") for c in containers),
        ",".join(c.get("image", "") for c in containers),
    )


def _meta(obj: Obj) -> dict[str, Any]:
    return obj.get("metadata") or {}


def _age(obj: Obj, now: float) -> str:
    return since(_meta(obj).get("creationTimestamp"), now)


def pod_cells(pod: Obj, now: float, wide: bool) -> list[str]:
    summary = summarize(pod, now)
    cells = [_meta(pod).get("name", ""), summary.ready_cell, summary.status, summary.restarts]
    cells.append(_age(pod, now))
    if wide:
        spec, status = pod.get("spec") or {}, pod.get("status") or {}
        ips = status.get("podIPs") or []
        gates = spec.get("readinessGates") or []
        gates_cell = NONE
        if gates:
            true = {
                c.get("type") for c in status.get("conditions") or () if c.get("status") == "True"
            }
            met = sum(1 for gate in gates if gate.get("conditionType") in true)
            gates_cell = f"{met}/{len(gates)}"
        cells += [
            (ips[0].get("ip") if ips else "") or NONE,
            spec.get("nodeName") or NONE,
            status.get("nominatedNodeName") or NONE,
            gates_cell,
        ]
    return cells


def replication_cells(obj: Obj, now: float, wide: bool) -> list[str]:
    """ReplicationControllers and ReplicaSets: DESIRED CURRENT READY AGE."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    cells = [
        _meta(obj).get("name", ""),
        str(spec.get("replicas", 1)),
        str(status.get("replicas", 0)),
        str(status.get("readyReplicas", 0)),
        _age(obj, now),
    ]
    if wide:
        names, images = _containers((spec.get("template") or {}).get("spec") or {})
        if obj.get("kind") == "ReplicationController":
            selector = format_labels(spec.get("selector"))
        else:
            selector = format_label_selector(spec.get("selector")) or NONE
        cells += [names, images, selector]
    return cells


def deployment_cells(obj: Obj, now: float, wide: bool) -> list[str]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    cells = [
        _meta(obj).get("name", ""),
        f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
        str(status.get("updatedReplicas", 0)),
        str(status.get("availableReplicas", 0)),
        _age(obj, now),
    ]
    if wide:
        names, images = _containers((spec.get("template") or {}).get("spec") or {})
        cells += [names, images, format_label_selector(spec.get("selector"))]
    return cells


def _load_balancer_ips(obj: Obj, wide: bool) -> str:
    ingress = ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or ()
    found = sorted({i.get("ip") or i.get("hostname") for i in ingress} - {None, ""})
    text = ",".join(str(value) for value in found)
    if not wide and len(text) > LOAD_BALANCER_WIDTH:
        text = text[: LOAD_BALANCER_WIDTH - 3] + "..."
    return text


def external_ip(service: Obj, wide: bool) -> str:
    """getServiceExternalIP: `<pending>` for a load balancer without ingress, `<none>` for
    ClusterIP and NodePort services without externalIPs."""
    spec = service.get("spec") or {}
    external = list(spec.get("externalIPs") or ())
    kind = spec.get("type", "ClusterIP")
    if kind in ("ClusterIP", "NodePort"):
        return ",".join(external) if external else NONE
    if kind == "LoadBalancer":
        balancer = _load_balancer_ips(service, wide)
        if external:
            return ",".join([*([balancer] if balancer else []), *external])
        return balancer or "<pending>"
    if kind == "ExternalName":
        return str(spec.get("externalName", ""))
    return "<unknown>"


def port_string(ports: list[dict[str, Any]]) -> str:
    """makePortString: `80/TCP`, or `80:30123/TCP` with a node port."""
    pieces = []
    for port in ports:
        protocol = port.get("protocol", "TCP")
        if port.get("nodePort"):
            pieces.append(f"{port.get('port')}:{port['nodePort']}/{protocol}")
        else:
            pieces.append(f"{port.get('port')}/{protocol}")
    return ",".join(pieces)


def service_cells(obj: Obj, now: float, wide: bool) -> list[str]:
    spec = obj.get("spec") or {}
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    cells = [
        _meta(obj).get("name", ""),
        spec.get("type", "ClusterIP"),
        cluster_ips[0] if cluster_ips else NONE,
        external_ip(obj, wide),
        port_string(spec.get("ports") or []) or NONE,
        _age(obj, now),
    ]
    if wide:
        cells.append(format_labels(spec.get("selector")))
    return cells


def format_endpoints(endpoints: Obj, port_names: set[str] | None = None) -> str:
    """formatEndpoints: the first three `ip:port`, then `+ N more...`; ports filtered by name
    when `port_names` is given (describe service)."""
    subsets = endpoints.get("subsets") or []
    if not subsets:
        return NONE
    shown: list[str] = []
    more = False
    count = 0
    for subset in subsets:
        addresses = subset.get("addresses") or []
        ports = subset.get("ports") or []
        if not ports:
            count += len(addresses)
            for address in addresses:
                if len(shown) == ENDPOINTS_SHOWN:
                    more = True
                    break
                shown.append(address.get("ip", ""))
            continue
        for port in ports:
            if port_names is not None and port.get("name", "") not in port_names:
                continue
            count += len(addresses)
            for address in addresses:
                if len(shown) == ENDPOINTS_SHOWN:
                    more = True
                    break
                shown.append(_host_port(address.get("ip", ""), port.get("port")))
    text = ",".join(shown)
    return f"{text} + {count - ENDPOINTS_SHOWN} more..." if more else text


def _host_port(ip: str, port: object) -> str:
    """net.JoinHostPort: IPv6 addresses get brackets."""
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def endpoints_cells(obj: Obj, now: float, wide: bool) -> list[str]:
    return [_meta(obj).get("name", ""), format_endpoints(obj), _age(obj, now)]


def node_roles(node: Obj) -> list[str]:
    """findNodeRoles: `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role` values."""
    roles = set()
    for key, value in (_meta(node).get("labels") or {}).items():
        if key.startswith(NODE_ROLE_PREFIX) and key[len(NODE_ROLE_PREFIX) :]:
            roles.add(key[len(NODE_ROLE_PREFIX) :])
        elif key == NODE_ROLE_LABEL and value:
            roles.add(value)
    return sorted(roles)


def node_status(node: Obj) -> str:
    """`Ready`, `NotReady` or `Unknown`, with `,SchedulingDisabled` when cordoned."""
    parts = []
    for condition in (node.get("status") or {}).get("conditions") or ():
        if condition.get("type") == "Ready":
            parts.append("Ready" if condition.get("status") == "True" else "NotReady")
            break
    if not parts:
        parts.append("Unknown")
    if (node.get("spec") or {}).get("unschedulable"):
        parts.append("SchedulingDisabled")
    return ",".join(parts)


def _node_address(node: Obj, kind: str) -> str:
    for address in (node.get("status") or {}).get("addresses") or ():
        if address.get("type") == kind:
            return str(address.get("address", ""))
    return NONE


def node_cells(obj: Obj, now: float, wide: bool) -> list[str]:
    info = (obj.get("status") or {}).get("nodeInfo") or {}
    cells = [
        _meta(obj).get("name", ""),
        node_status(obj),
        ",".join(node_roles(obj)) or NONE,
        _age(obj, now),
        info.get("kubeletVersion", ""),
    ]
    if wide:
        cells += [
            _node_address(obj, "InternalIP"),
            _node_address(obj, "ExternalIP"),
            info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>",
        ]
    return cells


def namespace_cells(obj: Obj, now: float, wide: bool) -> list[str]:
    phase = (obj.get("status") or {}).get("phase", "")
    return [_meta(obj).get("name", ""), phase, _age(obj, now)]


def event_object(event: Obj, *, lower: bool = True) -> str:
    """`pod/kubia-x` as `get events` shows it (`Pod/kubia-x` for `kubectl events`)."""
    involved = event.get("involvedObject") or {}
    kind = str(involved.get("kind", ""))
    kind = kind.lower() if lower else kind
    return f"{kind}/{involved['name']}" if involved.get("name") else kind


def event_source(event: Obj) -> str:
    source = event.get("source") or {}
    component = source.get("component") or event.get("reportingComponent") or ""
    host = source.get("host") or event.get("reportingInstance") or ""
    if not component and not host:
        return ""
    return f"{component}, {host}" if host else component


def event_cells(obj: Obj, now: float, wide: bool) -> list[str]:
    first = since(obj.get("firstTimestamp") or obj.get("eventTime"), now)
    last = since(obj["lastTimestamp"], now) if obj.get("lastTimestamp") else first
    message = str(obj.get("message", "")).strip()
    head = [last, obj.get("type", ""), obj.get("reason", ""), event_object(obj)]
    if not wide:
        return [*head, message]
    field_path = (obj.get("involvedObject") or {}).get("fieldPath", "")
    count = str(obj.get("count") or 1)
    name = _meta(obj).get("name", "")
    return [*head, field_path, event_source(obj), message, first, count, name]


def sort_events(events: Sequence[Obj]) -> list[Obj]:
    """Oldest first by last occurrence, as `kubectl events` and describe order them; ties keep
    the order they were written in."""

    def key(event: Obj) -> tuple[float, int]:
        last = event.get("lastTimestamp") or event.get("firstTimestamp")
        revision = (event.get("metadata") or {}).get("resourceVersion") or "0"
        return (parse_rfc3339(last) if last else 0.0, int(revision))

    return sorted(events, key=key)


CELLS: dict[str, Cells] = {
    "Pod": pod_cells,
    "ReplicationController": replication_cells,
    "ReplicaSet": replication_cells,
    "Deployment": deployment_cells,
    "Service": service_cells,
    "Endpoints": endpoints_cells,
    "Node": node_cells,
    "Namespace": namespace_cells,
    "Event": event_cells,
}
"""Row builders by kind; every kind in the registry has one."""
