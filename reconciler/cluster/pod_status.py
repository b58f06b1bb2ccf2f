"""A pod's status as the kubelet reports it, derived from the runtime's record of the pod.

Shapes follow `kubectl get pod -o yaml` of a v1.31 kubelet: phase (kubelet's getPhase), the
conditions PodReadyToStartContainers, Initialized, Ready, ContainersReady (PodScheduled is the
scheduler's, kept as found), hostIP(s), podIP(s), startTime and one containerStatus per container
(state waiting/running/terminated, lastState, ready, started, restartCount, image, imageID,
containerID). Pure: the kubelet calls `pod_status` and writes the result when it changed.
"""

from __future__ import annotations

from typing import Any

from reconciler.clock import rfc3339
from reconciler.cluster.containers import ContainerState, PodRuntime, Step
from reconciler.model.keys import Obj

_CREATING = (Step.WAITING, Step.PULLING, Step.CREATING, Step.STARTING)
CONDITION_ORDER = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady")


def terminated(state: ContainerState) -> dict[str, Any]:
    """The `terminated` state of a container that exited."""
    code = state.exit_code or 0
    return {
        "containerID": state.container_id,
        "exitCode": code,
        "finishedAt": rfc3339(state.finished_at or 0.0),
        "reason": "Completed" if code == 0 else "Error",
        "startedAt": rfc3339(state.started_at or 0.0),
    }


def _state(state: ContainerState) -> dict[str, Any]:
    if state.step in (Step.RUNNING, Step.STOPPING):
        return {"running": {"startedAt": rfc3339(state.started_at or 0.0)}}
    if state.step is Step.EXITED:
        return {"terminated": terminated(state)}
    if state.reason and (state.step not in _CREATING or state.step is Step.PULLING):
        waiting = {"reason": state.reason}
        if state.message:
            waiting["message"] = state.message
        return {"waiting": waiting}
    return {"waiting": {"reason": "ContainerCreating"}}


def container_status(spec: dict[str, Any], state: ContainerState) -> dict[str, Any]:
    """One entry of status.containerStatuses."""
    status: dict[str, Any] = {
        "name": spec["name"],
        "image": state.image_name or spec.get("image", ""),
        "imageID": state.image_id,
        "lastState": state.last_state,
        "ready": state.running and state.ready,
        "restartCount": state.restarts,
        "started": state.running,
        "state": _state(state),
    }
    if state.container_id:
        status["containerID"] = state.container_id
    return status


def phase(pod: Obj, statuses: list[dict[str, Any]]) -> str:
    """The kubelet's getPhase: Pending while a container waits to start for the first time."""
    waiting = running = stopped = succeeded = 0
    for status in statuses:
        state = status["state"]
        if "running" in state:
            running += 1
        elif "terminated" in state:
            stopped += 1
            succeeded += state["terminated"]["exitCode"] == 0
        elif status["lastState"].get("terminated"):
            stopped += 1
        else:
            waiting += 1
    policy = pod["spec"].get("restartPolicy", "Always")
    if waiting:
        return "Pending"
    if running:
        return "Running"
    if not stopped:
        return "Pending"
    if policy == "Always":
        return "Running"
    if stopped == succeeded:
        return "Succeeded"
    return "Failed" if policy == "Never" else "Running"


def pod_status(pod: Obj, record: PodRuntime, *, host_ip: str, now: float) -> dict[str, Any]:
    """The whole status the kubelet reports for `pod` now."""
    old = pod.get("status") or {}
    specs = pod["spec"].get("containers") or []
    statuses = [container_status(c, record.containers[c["name"]]) for c in specs]
    current_phase = phase(pod, statuses)
    unready = [s["name"] for s in statuses if not s["ready"]]
    wanted: dict[str, tuple[str, str, str]] = {
        "PodReadyToStartContainers": ("True", "", ""),
        "Initialized": ("True", "", ""),
    }
    if current_phase == "Succeeded":
        not_ready = ("False", "PodCompleted", "")
    else:
        not_ready = (
            "False",
            "ContainersNotReady",
            f"containers with unready status: [{' '.join(unready)}]",
        )
    ready = ("True", "", "") if not unready else not_ready
    wanted["Ready"] = wanted["ContainersReady"] = ready
    old_conditions = {c["type"]: c for c in old.get("conditions") or ()}
    conditions = []
    for kind in CONDITION_ORDER:
        status, reason, message = wanted[kind]
        previous = old_conditions.get(kind)
        changed = previous is None or previous.get("status") != status
        since = rfc3339(now) if changed or previous is None else previous["lastTransitionTime"]
        condition: dict[str, Any] = {
            "lastProbeTime": None,
            "lastTransitionTime": since,
            "status": status,
            "type": kind,
        }
        if reason:
            condition["reason"] = reason
        if message:
            condition["message"] = message
        conditions.append(condition)
    conditions.extend(c for t, c in old_conditions.items() if t not in CONDITION_ORDER)
    result = {
        **{k: v for k, v in old.items() if k in ("qosClass", "nominatedNodeName")},
        "phase": current_phase,
        "conditions": conditions,
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
        "startTime": rfc3339(record.started),
        "containerStatuses": statuses,
    }
    if record.ip:
        result["podIP"] = record.ip
        result["podIPs"] = [{"ip": record.ip}]
    return result
