"""Defaulting: the fields the API server fills in when a client leaves them out.

Mirrors kubernetes/kubernetes pkg/apis/core/v1/defaults.go and pkg/apis/apps/v1/defaults.go for
the fields a user can see in `get -o yaml`. Called by the api before validation on create and
update; pure (no store, no clock), so it is the same for a dry run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.model.keys import Obj

Defaulter = Callable[[Obj], None]


def image_pull_policy(image: str) -> str:
    """`Always` for `:latest` or no tag, `IfNotPresent` otherwise (a digest counts as pinned)."""
    if "@" in image:
        return "IfNotPresent"
    name = image.rsplit("/", 1)[-1]
    tag = name.partition(":")[2]
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _probe(probe: dict[str, Any] | None) -> None:
    if probe is None:
        return
    probe.setdefault("timeoutSeconds", 1)
    probe.setdefault("periodSeconds", 10)
    probe.setdefault("successThreshold", 1)
    probe.setdefault("failureThreshold", 3)
    http = probe.get("httpGet")
    if http is not None:
        http.setdefault("path", "/")
        http.setdefault("scheme", "HTTP")


def _container(container: dict[str, Any]) -> None:
    container.setdefault("imagePullPolicy", image_pull_policy(container.get("image", "")))
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    container.setdefault("resources", {})
    for port in container.get("ports") or ():
        port.setdefault("protocol", "TCP")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        _probe(container.get(probe))


def pod_spec(spec: dict[str, Any]) -> None:
    """Defaults of a PodSpec, shared by pods and the templates of workloads."""
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("enableServiceLinks", True)
    for container in (*(spec.get("initContainers") or ()), *(spec.get("containers") or ())):
        _container(container)


def _pod(obj: Obj) -> None:
    pod_spec(obj.setdefault("spec", {}))


def _replication_controller(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    template = spec.get("template") or {}
    template_labels = (template.get("metadata") or {}).get("labels")
    if template_labels:
        if not spec.get("selector"):
            spec["selector"] = dict(template_labels)
        if not obj["metadata"].get("labels"):
            obj["metadata"]["labels"] = dict(template_labels)
    spec.setdefault("replicas", 1)
    if template:
        pod_spec(template.setdefault("spec", {}))


def _replica_set(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    pod_spec(spec.setdefault("template", {}).setdefault("spec", {}))


def _deployment(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    pod_spec(spec.setdefault("template", {}).setdefault("spec", {}))


def _service(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if spec["sessionAffinity"] == "ClientIP":
        config = spec.setdefault("sessionAffinityConfig", {}).setdefault("clientIP", {})
        config.setdefault("timeoutSeconds", 10800)
    for port in spec.get("ports") or ():
        port.setdefault("protocol", "TCP")
        port.setdefault("targetPort", port.get("port"))
    if spec["type"] in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if spec["type"] == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    spec.setdefault("internalTrafficPolicy", "Cluster")
    spec.setdefault("ipFamilies", ["IPv4"])
    spec.setdefault("ipFamilyPolicy", "SingleStack")


def _namespace(obj: Obj) -> None:
    obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    labels = obj["metadata"].setdefault("labels", {})
    labels.setdefault("kubernetes.io/metadata.name", obj["metadata"]["name"])


DEFAULTERS: dict[str, Defaulter] = {
    "Pod": _pod,
    "ReplicationController": _replication_controller,
    "ReplicaSet": _replica_set,
    "Deployment": _deployment,
    "Service": _service,
    "Namespace": _namespace,
}


def apply_defaults(obj: Obj) -> None:
    """Fill in, in place, every default of the object's kind."""
    defaulter = DEFAULTERS.get(obj.get("kind", ""))
    if defaulter is not None:
        defaulter(obj)
