"""Health of a live object, as Argo CD assesses it (gitops-engine pkg/health).

`reconciler status` and the daemon's log call `health_of(live)` for every object the folder
declares. The rules are Argo CD's built-in ones, with a ReplicationController judged like a
ReplicaSet:
- ReplicaSet / ReplicationController: Progressing until the controller observed the latest
  generation and as many replicas are ready as desired; Degraded when the ReplicaFailure
  condition is true.
- Deployment: Progressing until observed, updated and available; Degraded past its progress
  deadline; Suspended when paused.
- Pod: Pending → Progressing; a container waiting with a reason `Err*`, `*Error` or `*BackOff`
  → Degraded; Running and Ready → Healthy; Succeeded → Healthy; Failed → Degraded.
- Service: a LoadBalancer is Progressing until it has an ingress IP or hostname; others Healthy.
- anything else that exists: Healthy. An object that does not exist: Missing.
Pure functions over object dicts: no store, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reconciler.model.conditions import condition_of
from reconciler.model.keys import Obj


class Health(StrEnum):
    """Argo CD's health codes, best first (except Missing, which is its own case)."""

    HEALTHY = "Healthy"
    SUSPENDED = "Suspended"
    PROGRESSING = "Progressing"
    MISSING = "Missing"
    DEGRADED = "Degraded"
    UNKNOWN = "Unknown"


_WORST_FIRST = (
    Health.DEGRADED,
    Health.MISSING,
    Health.UNKNOWN,
    Health.PROGRESSING,
    Health.SUSPENDED,
    Health.HEALTHY,
)


@dataclass(frozen=True)
class HealthStatus:
    """A health code and, when not plainly healthy, why."""

    status: Health
    message: str = ""


def health_of(live: Obj | None) -> HealthStatus:
    """The health of one live object (None: it does not exist)."""
    if live is None:
        return HealthStatus(Health.MISSING, "the object does not exist in the cluster")
    kind = live.get("kind")
    if kind in ("ReplicaSet", "ReplicationController"):
        return _replicas_health(live)
    if kind == "Deployment":
        return _deployment_health(live)
    if kind == "Pod":
        return _pod_health(live)
    if kind == "Service":
        return _service_health(live)
    return HealthStatus(Health.HEALTHY)


def worst(statuses: list[Health]) -> Health:
    """The health of a whole set of objects: the worst of them (Healthy when empty)."""
    for code in _WORST_FIRST:
        if code in statuses:
            return code
    return Health.HEALTHY


def _generation_observed(obj: Obj) -> bool:
    generation = (obj.get("metadata") or {}).get("generation")
    observed = (obj.get("status") or {}).get("observedGeneration")
    return generation is None or (observed is not None and int(generation) <= int(observed))


def _replicas_health(obj: Obj) -> HealthStatus:
    if not _generation_observed(obj):
        return HealthStatus(
            Health.PROGRESSING,
            "Waiting for rollout to finish: observed generation less than desired generation",
        )
    failure = condition_of(obj, "ReplicaFailure")
    if failure is not None and failure.get("status") == "True":
        return HealthStatus(Health.DEGRADED, str(failure.get("message") or ""))
    desired = (obj.get("spec") or {}).get("replicas", 1)
    ready = (obj.get("status") or {}).get("readyReplicas") or 0
    if ready < desired:
        return HealthStatus(
            Health.PROGRESSING,
            f"Waiting for rollout to finish: {ready} out of {desired} new replicas are "
            "available...",
        )
    return HealthStatus(Health.HEALTHY)


def _deployment_health(obj: Obj) -> HealthStatus:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    if spec.get("paused"):
        return HealthStatus(Health.SUSPENDED, "Deployment is paused")
    if not _generation_observed(obj):
        return HealthStatus(
            Health.PROGRESSING,
            "Waiting for rollout to finish: observed deployment generation less than desired "
            "generation",
        )
    progressing = condition_of(obj, "Progressing")
    if progressing is not None and progressing.get("reason") == "ProgressDeadlineExceeded":
        name = obj["metadata"].get("name")
        return HealthStatus(Health.DEGRADED, f'Deployment "{name}" exceeded its progress deadline')
    desired = spec.get("replicas", 1)
    updated = status.get("updatedReplicas") or 0
    current = status.get("replicas") or 0
    available = status.get("availableReplicas") or 0
    if updated < desired:
        message = f"{updated} out of {desired} new replicas have been updated..."
    elif current > updated:
        message = f"{current - updated} old replicas are pending termination..."
    elif available < updated:
        message = f"{available} of {updated} updated replicas are available..."
    else:
        return HealthStatus(Health.HEALTHY)
    return HealthStatus(Health.PROGRESSING, f"Waiting for rollout to finish: {message}")


def _pod_health(pod: Obj) -> HealthStatus:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    restart_policy = spec.get("restartPolicy", "Always")
    containers = status.get("containerStatuses") or []
    message = str(status.get("message") or "")
    if restart_policy == "Always":
        failing = [
            waiting
            for waiting in ((c.get("state") or {}).get("waiting") for c in containers)
            if waiting and _is_failure_reason(str(waiting.get("reason") or ""))
        ]
        if failing:
            reasons = ", ".join(str(w.get("message") or w.get("reason")) for w in failing)
            return HealthStatus(Health.DEGRADED, reasons)
    phase = status.get("phase")
    if phase == "Pending":
        return HealthStatus(Health.PROGRESSING, message)
    if phase == "Succeeded":
        return HealthStatus(Health.HEALTHY, message)
    if phase == "Failed":
        return HealthStatus(Health.DEGRADED, message or _failure_message(containers))
    if phase == "Running":
        if restart_policy != "Always":
            return HealthStatus(Health.PROGRESSING, message)
        ready = condition_of(pod, "Ready")
        if ready is not None and ready.get("status") == "True":
            return HealthStatus(Health.HEALTHY, message)
        if any((c.get("lastState") or {}).get("terminated") for c in containers):
            return HealthStatus(Health.DEGRADED, message)
        return HealthStatus(Health.PROGRESSING, message)
    return HealthStatus(Health.UNKNOWN, message)


def _is_failure_reason(reason: str) -> bool:
    return reason.startswith("Err") or reason.endswith(("Error", "BackOff"))


def _failure_message(containers: list[dict[str, Any]]) -> str:
    for container in containers:
        terminated = (container.get("state") or {}).get("terminated")
        if not terminated:
            continue
        if terminated.get("message"):
            return str(terminated["message"])
        if terminated.get("reason") == "OOMKilled":
            return "OOMKilled"
        if terminated.get("exitCode"):
            return f'container "{container.get("name")}" failed with exit code ' + str(
                terminated["exitCode"]
            )
    return ""


def _service_health(service: Obj) -> HealthStatus:
    if (service.get("spec") or {}).get("type") != "LoadBalancer":
        return HealthStatus(Health.HEALTHY)
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    if any(entry.get("ip") or entry.get("hostname") for entry in ingress):
        return HealthStatus(Health.HEALTHY)
    return HealthStatus(Health.PROGRESSING, "Waiting for the load balancer's external IP")
