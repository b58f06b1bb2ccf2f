"""`kubectl describe` for Services and Endpoints.

Ports describeService and describeEndpoints: type, cluster IP(s), load-balancer ingress, and per
port its target, node port and the endpoints behind it (`10.244.1.5:8080,10.244.2.3:8080`).
Pure text from the object, the service's Endpoints object, its events and "now".
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.cli.printers.columns import format_endpoints, format_labels
from reconciler.cli.printers.describe.writer import (
    NONE,
    PrefixWriter,
    events_table,
    object_header,
)
from reconciler.model.keys import Obj


def _ingress(service: Obj) -> str:
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or ()
    texts = []
    for entry in ingress:
        if entry.get("ip"):
            mode = f" ({entry['ipMode']})" if entry.get("ipMode") else ""
            texts.append(f"{entry['ip']}{mode}")
        else:
            texts.append(str(entry.get("hostname", "")))
    return ", ".join(texts)


def describe_service(
    service: Obj, endpoints: Obj | None, *, events: Sequence[Obj], now: float
) -> str:
    meta, spec = service.get("metadata") or {}, service.get("spec") or {}
    w = PrefixWriter()
    object_header(w, meta)
    w.write(0, f"Selector:\t{format_labels(spec.get('selector'))}\n")
    w.write(0, f"Type:\t{spec.get('type', 'ClusterIP')}\n")
    if spec.get("ipFamilyPolicy"):
        w.write(0, f"IP Family Policy:\t{spec['ipFamilyPolicy']}\n")
    w.write(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or ()) or NONE}\n")
    w.write(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.write(0, f"IPs:\t{','.join(spec.get('clusterIPs') or ()) or NONE}\n")
    if spec.get("externalIPs"):
        w.write(0, f"External IPs:\t{','.join(spec['externalIPs'])}\n")
    if spec.get("loadBalancerIP"):
        w.write(0, f"Desired LoadBalancer IP:\t{spec['loadBalancerIP']}\n")
    if spec.get("externalName"):
        w.write(0, f"External Name:\t{spec['externalName']}\n")
    if _ingress(service):
        w.write(0, f"LoadBalancer Ingress:\t{_ingress(service)}\n")
    for port in spec.get("ports") or ():
        name = port.get("name") or "<unset>"
        protocol = port.get("protocol", "TCP")
        w.write(0, f"Port:\t{name}\t{port.get('port')}/{protocol}\n")
        w.write(0, f"TargetPort:\t{port.get('targetPort', port.get('port'))}/{protocol}\n")
        if port.get("appProtocol"):
            w.write(0, f"AppProtocol:\t{port['appProtocol']}\n")
        if port.get("nodePort"):
            w.write(0, f"NodePort:\t{name}\t{port['nodePort']}/{protocol}\n")
        served = format_endpoints(endpoints, {port.get("name", "")}) if endpoints else NONE
        w.write(0, f"Endpoints:\t{served}\n")
    w.write(0, f"Session Affinity:\t{spec.get('sessionAffinity', 'None')}\n")
    if spec.get("externalTrafficPolicy"):
        w.write(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    if spec.get("internalTrafficPolicy"):
        w.write(0, f"Internal Traffic Policy:\t{spec['internalTrafficPolicy']}\n")
    if spec.get("healthCheckNodePort"):
        w.write(0, f"HealthCheck NodePort:\t{spec['healthCheckNodePort']}\n")
    events_table(w, events, now=now)
    return w.text()


def describe_endpoints(endpoints: Obj, events: Sequence[Obj], *, now: float) -> str:
    meta = endpoints.get("metadata") or {}
    w = PrefixWriter()
    object_header(w, meta)
    w.write(0, "Subsets:\n")
    for subset in endpoints.get("subsets") or ():
        ready = ",".join(a.get("ip", "") for a in subset.get("addresses") or ())
        not_ready = ",".join(a.get("ip", "") for a in subset.get("notReadyAddresses") or ())
        w.write(1, f"Addresses:\t{ready or NONE}\n")
        w.write(1, f"NotReadyAddresses:\t{not_ready or NONE}\n")
        if subset.get("ports"):
            w.write(1, "Ports:\n")
            w.write(2, "Name\tPort\tProtocol\n")
            w.write(2, "----\t----\t--------\n")
            for port in subset["ports"]:
                name = port.get("name") or "<unset>"
                w.write(2, f"{name}\t{port.get('port')}\t{port.get('protocol', 'TCP')}\n")
        w.write(0, "\n")
    events_table(w, events, now=now)
    return w.text()
