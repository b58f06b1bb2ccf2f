"""`kubectl describe pod`, and the container and pod-template sections workloads reuse.

Ports describePod, describeContainers and DescribePodTemplate of kubectl's describe.go, field for
field and in the same order, printing only what the pod has (as kubectl does: no `Priority:` line
for a pod without spec.priority). Pure text from the pod, its events and "now".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.cli.printers.describe.writer import (
    NONE,
    PrefixWriter,
    annotations_multiline,
    events_table,
    labels_multiline,
    rfc1123z,
    tolerations_multiline,
)
from reconciler.model.ages import since
from reconciler.model.keys import Obj


def _ports(ports: Sequence[Mapping[str, Any]], field: str) -> str:
    pieces = []
    for port in ports:
        text = f"{port.get(field, 0)}/{port.get('protocol', 'TCP')}"
        if port.get("name"):
            text += f" ({port['name']})"
        pieces.append(text)
    return ", ".join(pieces)


def probe_text(probe: Mapping[str, Any]) -> str:
    """DescribeProbe: `http-get http://:8080/ delay=0s timeout=1s period=10s #success=1
    #failure=3`."""
    attrs = (
        f"delay={probe.get('initialDelaySeconds', 0)}s timeout={probe.get('timeoutSeconds', 1)}s "
        f"period={probe.get('periodSeconds', 10)}s #success={probe.get('successThreshold', 1)} "
        f"#failure={probe.get('failureThreshold', 3)}"
    )
    if "exec" in probe:
        command = " ".join(str(part) for part in probe["exec"].get("command") or ())
        return f"exec [{command}] {attrs}"
    if "httpGet" in probe:
        http = probe["httpGet"]
        scheme = str(http.get("scheme", "HTTP")).lower()
        host = http.get("host", "")
        return f"http-get {scheme}://{host}:{http.get('port', '')}{http.get('path', '')} {attrs}"
    if "tcpSocket" in probe:
        tcp = probe["tcpSocket"]
        return f"tcp-socket {tcp.get('host', '')}:{tcp.get('port', '')} {attrs}"
    if "grpc" in probe:
        grpc = probe["grpc"]
        return f"grpc <pod>:{grpc.get('port', '')} {grpc.get('service', '')} {attrs}"
    return f"unknown {attrs}"


def _state(w: PrefixWriter, title: str, state: Mapping[str, Any]) -> None:
    if "running" in state:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z((state['running'] or {}).get('startedAt'))}\n")
    elif "terminated" in state:
        terminated = state["terminated"] or {}
        w.write(2, f"{title}:\tTerminated\n")
        if terminated.get("reason"):
            w.write(3, f"Reason:\t{terminated['reason']}\n")
        if terminated.get("message"):
            w.write(3, f"Message:\t{terminated['message']}\n")
        w.write(3, f"Exit Code:\t{terminated.get('exitCode', 0)}\n")
        if terminated.get("signal"):
            w.write(3, f"Signal:\t{terminated['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(terminated.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{rfc1123z(terminated.get('finishedAt'))}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")
        reason = (state.get("waiting") or {}).get("reason")
        if reason:
            w.write(3, f"Reason:\t{reason}\n")


def _resources(w: PrefixWriter, resources: Mapping[str, Any], level: int) -> None:
    for section, title in (("limits", "Limits"), ("requests", "Requests")):
        values = resources.get(section) or {}
        if values:
            w.write(level, f"{title}:\n")
        for name in sorted(values):
            w.write(level + 1, f"{name}:\t{values[name]}\n")


def containers(
    w: PrefixWriter,
    label: str,
    specs: Sequence[Mapping[str, Any]],
    statuses: Sequence[Mapping[str, Any]] | None,
    *,
    space: str = "",
) -> None:
    """describeContainers: `Containers:` and, per container, image, ports, state, probes,
    environment and mounts."""
    by_name = {status.get("name"): status for status in statuses or ()}
    w.write(0, f"{space}{label}:{'' if specs else ' <none>'}\n")
    for spec in specs:
        status = by_name.get(spec.get("name"))
        w.write(1, f"{' ' if space else ''}{spec.get('name', '')}:\n")
        if status is not None:
            w.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
        w.write(2, f"Image:\t{spec.get('image', '')}\n")
        if status is not None:
            w.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
        ports = spec.get("ports") or []
        for field, single, plural in (
            ("containerPort", "Port", "Ports"),
            ("hostPort", "Host Port", "Host Ports"),
        ):
            text = _ports(ports, field)
            title = plural if "," in text else single
            w.write(2, f"{title}:\t{text or NONE}\n")
        for title, key in (("Command", "command"), ("Args", "args")):
            if spec.get(key):
                w.write(2, f"{title}:\n")
                for part in spec[key]:
                    for piece in str(part).split("\n"):
                        w.write(3, f"{piece}\n")
        if status is not None:
            _state(w, "State", status.get("state") or {})
            if (status.get("lastState") or {}).get("terminated"):
                _state(w, "Last State", status["lastState"])
            w.write(2, f"Ready:\t{'True' if status.get('ready') else 'False'}\n")
            w.write(2, f"Restart Count:\t{status.get('restartCount', 0)}\n")
        _resources(w, spec.get("resources") or {}, 2)
        for title, key in (
            ("Liveness", "livenessProbe"),
            ("Readiness", "readinessProbe"),
            ("Startup", "startupProbe"),
        ):
            if spec.get(key):
                w.write(2, f"{title}:\t{probe_text(spec[key])}\n")
        _environment(w, spec.get("env") or [])
        mounts = sorted(spec.get("volumeMounts") or [], key=lambda m: m.get("mountPath", ""))
        w.write(2, f"Mounts:{'' if mounts else chr(9) + NONE}\n")
        for mount in mounts:
            flag = "ro" if mount.get("readOnly") else "rw"
            w.write(3, f"{mount.get('mountPath', '')} from {mount.get('name', '')} ({flag})\n")


def _environment(w: PrefixWriter, env: Sequence[Mapping[str, Any]]) -> None:
    w.write(2, f"Environment:{'' if env else chr(9) + NONE}\n")
    for variable in env:
        name = variable.get("name", "")
        source = variable.get("valueFrom")
        if not source:
            for index, piece in enumerate(str(variable.get("value", "")).split("\n")):
                w.write(3, f"{name}:\t{piece}\n" if index == 0 else f"\t{piece}\n")
        elif "fieldRef" in source:
            ref = source["fieldRef"]
            w.write(3, f"{name}:\t ({ref.get('apiVersion', 'v1')}:{ref.get('fieldPath', '')})\n")
        elif "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            w.write(
                3,
                f"{name}:\t<set to the key '{ref.get('key', '')}' in secret "
                f"'{ref.get('name', '')}'>\tOptional: {str(bool(ref.get('optional'))).lower()}\n",
            )
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            w.write(
                3,
                f"{name}:\t<set to the key '{ref.get('key', '')}' of config map "
                f"'{ref.get('name', '')}'>\tOptional: {str(bool(ref.get('optional'))).lower()}\n",
            )


def volumes(w: PrefixWriter, specs: Sequence[Mapping[str, Any]], *, space: str = "") -> None:
    """describeVolumes, for the volume kinds a simulated pod can have."""
    if not specs:
        w.write(0, f"{space}Volumes:\t{NONE}\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for volume in specs:
        w.write(1, f"{' ' if space else ''}{volume.get('name', '')}:\n")
        if "emptyDir" in volume:
            medium = (volume["emptyDir"] or {}).get("medium", "")
            w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n")
            w.write(2, f"Medium:\t{medium}\n")
            limit = (volume["emptyDir"] or {}).get("sizeLimit")
            w.write(2, f"SizeLimit:\t{limit or '<unset>'}\n")
        elif "hostPath" in volume:
            host = volume["hostPath"] or {}
            w.write(2, "Type:\tHostPath (bare host directory volume)\n")
            w.write(2, f"Path:\t{host.get('path', '')}\n")
            w.write(2, f"HostPathType:\t{host.get('type', '')}\n")
        elif "configMap" in volume:
            ref = volume["configMap"] or {}
            w.write(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n")
            w.write(2, f"Name:\t{ref.get('name', '')}\n")
            w.write(2, f"Optional:\t{str(bool(ref.get('optional'))).lower()}\n")
        elif "secret" in volume:
            ref = volume["secret"] or {}
            w.write(2, "Type:\tSecret (a volume populated by a Secret)\n")
            w.write(2, f"SecretName:\t{ref.get('secretName', '')}\n")
            w.write(2, f"Optional:\t{str(bool(ref.get('optional'))).lower()}\n")
        else:
            w.write(1, "<unknown>\n")


def pod_template(w: PrefixWriter, template: Mapping[str, Any] | None) -> None:
    """DescribePodTemplate: the `Pod Template:` section of controllers."""
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    meta = template.get("metadata") or {}
    spec = template.get("spec") or {}
    labels_multiline(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        annotations_multiline(w, "  Annotations", meta["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        containers(w, "Init Containers", spec["initContainers"], None, space="  ")
    containers(w, "Containers", spec.get("containers") or [], None, space="  ")
    volumes(w, spec.get("volumes") or [], space="  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    labels_multiline(w, "  Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "  Tolerations", spec.get("tolerations"))


def controlled_by(obj: Obj) -> str:
    """`ReplicationController/kubia` from the controller owner reference, or ""."""
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or ():
        if ref.get("controller"):
            return f"{ref.get('kind', '')}/{ref.get('name', '')}"
    return ""


def describe_pod(pod: Obj, events: Sequence[Obj], *, now: float) -> str:
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    if spec.get("priorityClassName"):
        w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
    node = spec.get("nodeName")
    w.write(0, f"Node:\t{node}/{status.get('hostIP', '')}\n" if node else f"Node:\t{NONE}\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    phase = status.get("phase", "")
    if meta.get("deletionTimestamp") and phase not in ("Failed", "Succeeded"):
        w.write(0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'], now)})\n")
        w.write(0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        w.write(0, f"Status:\t{phase}\n")
    if status.get("reason"):
        w.write(0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        w.write(0, f"Message:\t{status['message']}\n")
    w.write(0, f"IP:\t{status.get('podIP', '')}\n")
    ips = status.get("podIPs") or []
    if ips:
        w.write(0, "IPs:\n")
        for ip in ips:
            w.write(1, f"IP:\t{ip.get('ip', '')}\n")
    else:
        w.write(0, f"IPs:\t{NONE}\n")
    if controlled_by(pod):
        w.write(0, f"Controlled By:\t{controlled_by(pod)}\n")
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("initContainers"):
        containers(
            w, "Init Containers", spec["initContainers"], status.get("initContainerStatuses")
        )
    containers(w, "Containers", spec.get("containers") or [], status.get("containerStatuses"))
    if spec.get("readinessGates"):
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        found = {c.get("type"): c.get("status") for c in status.get("conditions") or ()}
        for gate in spec["readinessGates"]:
            kind = gate.get("conditionType", "")
            w.write(1, f"{kind} \t{found.get(kind, NONE)} \n")
    if status.get("conditions"):
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for condition in status["conditions"]:
            w.write(1, f"{condition.get('type', '')} \t{condition.get('status', '')} \n")
    volumes(w, spec.get("volumes") or [])
    w.write(0, f"QoS Class:\t{status.get('qosClass', 'BestEffort')}\n")
    labels_multiline(w, "Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "Tolerations", spec.get("tolerations"))
    events_table(w, events, now=now)
    return w.text()
