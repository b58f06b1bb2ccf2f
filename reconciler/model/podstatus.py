"""The READY, STATUS and RESTARTS cells of `kubectl get pods`, computed as kubectl computes them.

A port of printPod (kubernetes/kubernetes pkg/printers/internalversion/printers.go): the STATUS
is the pod phase unless something more telling applies - an init container's progress
(`Init:0/1`, `Init:CrashLoopBackOff`), a container's waiting or terminated reason
(`ContainerCreating`, `CrashLoopBackOff`, `ErrImagePull`, `Completed`, `ExitCode:1`), or the pod
being deleted (`Terminating`, or `Unknown` for a pod lost with its node). Pure: reads a pod dict
and the current simulated time. Shared by the CLI's printers and the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.clock import parse_rfc3339
from reconciler.model.ages import human_duration

NODE_LOST = "NodeLost"
"""Pod status reason the node lifecycle controller sets on pods of an unreachable node."""


@dataclass(frozen=True)
class PodSummary:
    """What `kubectl get pods` says about one pod."""

    ready: int
    total: int
    status: str
    restarts: str

    @property
    def ready_cell(self) -> str:
        return f"{self.ready}/{self.total}"


def _restartable(container: dict[str, Any] | None) -> bool:
    """A sidecar: an init container with restartPolicy Always."""
    return bool(container) and (container or {}).get("restartPolicy") == "Always"


def _terminated_reason(terminated: dict[str, Any], prefix: str = "") -> str:
    if terminated.get("reason"):
        return f"{prefix}{terminated['reason']}"
    if terminated.get("signal"):
        return f"{prefix}Signal:{terminated['signal']}"
    return f"{prefix}ExitCode:{terminated.get('exitCode', 0)}"


def _last_termination(status: dict[str, Any]) -> float | None:
    finished = ((status.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
    return parse_rfc3339(finished) if finished else None


def _condition_true(pod: dict[str, Any], kind: str) -> bool:
    return any(
        c.get("type") == kind and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or ()
    )


def summarize(pod: dict[str, Any], now: float) -> PodSummary:
    """READY, STATUS and RESTARTS of one pod."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    for condition in status.get("conditions") or ():
        if condition.get("type") == "PodScheduled" and condition.get("reason") == (
            "SchedulingGated"
        ):
            reason = "SchedulingGated"
    init_specs = {c.get("name"): c for c in spec.get("initContainers") or ()}
    total = len(spec.get("containers") or ()) + sum(
        1 for c in init_specs.values() if _restartable(c)
    )
    ready = restarts = sidecar_restarts = 0
    last_restart: float | None = None
    sidecar_last_restart: float | None = None

    init_statuses = status.get("initContainerStatuses") or []
    initializing = False
    for index, container in enumerate(init_statuses):
        state = container.get("state") or {}
        restarts += int(container.get("restartCount", 0))
        finished = _last_termination(container)
        if finished is not None and (last_restart is None or finished > last_restart):
            last_restart = finished
        sidecar = _restartable(init_specs.get(container.get("name")))
        if sidecar:
            sidecar_restarts += int(container.get("restartCount", 0))
            if finished is not None and (
                sidecar_last_restart is None or finished > sidecar_last_restart
            ):
                sidecar_last_restart = finished
        terminated = state.get("terminated")
        waiting = state.get("waiting") or {}
        if terminated is not None and terminated.get("exitCode", 0) == 0:
            continue
        if sidecar and container.get("started"):
            if container.get("ready"):
                ready += 1
            continue
        initializing = True
        if terminated is not None:
            reason = _terminated_reason(terminated, "Init:")
        elif waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{len(init_specs)}"
        break

    if not initializing or _condition_true(pod, "Initialized"):
        restarts = sidecar_restarts
        last_restart = sidecar_last_restart
        has_running = False
        for container in reversed(status.get("containerStatuses") or []):
            state = container.get("state") or {}
            restarts += int(container.get("restartCount", 0))
            finished = _last_termination(container)
            if finished is not None and (last_restart is None or finished > last_restart):
                last_restart = finished
            waiting = state.get("waiting") or {}
            terminated = state.get("terminated")
            if waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None:
                reason = _terminated_reason(terminated)
            elif container.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if _condition_true(pod, "Ready") else "NotReady"

    deleting = bool((pod.get("metadata") or {}).get("deletionTimestamp"))
    if deleting and status.get("reason") == NODE_LOST:
        reason = "Unknown"
    elif deleting and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"

    restarts_cell = str(restarts)
    if restarts and last_restart is not None:
        restarts_cell = f"{restarts} ({human_duration(now - last_restart)} ago)"
    return PodSummary(ready=ready, total=total, status=reason, restarts=restarts_cell)
