"""The READY, STATUS and RESTARTS cells of `get pods`, computed as kubectl's printPod does."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.clock import rfc3339
from reconciler.model.podstatus import summarize

NOW = 1_700_000_000.0


def pod(
    *containers: dict[str, Any],
    phase: str = "Running",
    init: tuple[dict[str, Any], ...] = (),
    init_specs: tuple[dict[str, Any], ...] = (),
    ready: bool = False,
    deleting: bool = False,
    reason: str | None = None,
) -> dict[str, Any]:
    names = [c["name"] for c in containers] or ["app"]
    status: dict[str, Any] = {"phase": phase, "containerStatuses": list(containers)}
    if init:
        status["initContainerStatuses"] = list(init)
    status["conditions"] = [{"type": "Ready", "status": "True" if ready else "False"}]
    if reason:
        status["reason"] = reason
    meta: dict[str, Any] = {"name": "kubia-abcde"}
    if deleting:
        meta["deletionTimestamp"] = rfc3339(NOW + 30)
    return {
        "kind": "Pod",
        "metadata": meta,
        "spec": {
            "containers": [{"name": n} for n in names],
            "initContainers": list(init_specs) or [{"name": c["name"]} for c in init],
        },
        "status": status,
    }


def waiting(reason: str, *, restarts: int = 0, finished_ago: float | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": "app",
        "ready": False,
        "restartCount": restarts,
        "state": {"waiting": {"reason": reason}},
    }
    if finished_ago is not None:
        container["lastState"] = {
            "terminated": {"exitCode": 1, "finishedAt": rfc3339(NOW - finished_ago)}
        }
    return container


def running(*, ready: bool = True, name: str = "app") -> dict[str, Any]:
    return {
        "name": name,
        "ready": ready,
        "restartCount": 0,
        "state": {"running": {"startedAt": rfc3339(NOW - 60)}},
    }


def terminated(reason: str = "", exit_code: int = 0, signal: int = 0) -> dict[str, Any]:
    state: dict[str, Any] = {"exitCode": exit_code}
    if reason:
        state["reason"] = reason
    if signal:
        state["signal"] = signal
    return {"name": "app", "ready": False, "restartCount": 0, "state": {"terminated": state}}


def test_a_pod_nobody_has_looked_at_yet_is_pending_with_nothing_ready() -> None:
    summary = summarize(
        {"kind": "Pod", "spec": {"containers": [{"name": "a"}]}, "status": {"phase": "Pending"}},
        NOW,
    )
    assert (summary.ready_cell, summary.status, summary.restarts) == ("0/1", "Pending", "0")


@pytest.mark.parametrize(
    "reason", ["ContainerCreating", "ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff"]
)
def test_a_waiting_container_shows_its_reason(reason: str) -> None:
    assert summarize(pod(waiting(reason), phase="Pending"), NOW).status == reason


def test_a_running_ready_container_counts_as_ready() -> None:
    summary = summarize(pod(running(), ready=True), NOW)
    assert (summary.ready_cell, summary.status) == ("1/1", "Running")


def test_a_running_container_that_is_not_ready_leaves_the_phase_and_zero_ready() -> None:
    summary = summarize(pod(running(ready=False)), NOW)
    assert (summary.ready_cell, summary.status) == ("0/1", "Running")


def test_restarts_say_how_long_ago_the_last_one_ended() -> None:
    summary = summarize(pod(waiting("CrashLoopBackOff", restarts=3, finished_ago=40)), NOW)
    assert (summary.status, summary.restarts) == ("CrashLoopBackOff", "3 (40s ago)")


@pytest.mark.parametrize(
    ("container", "shown"),
    [
        (terminated("Completed"), "Completed"),
        (terminated("Error", 1), "Error"),
        (terminated(exit_code=2), "ExitCode:2"),
        (terminated(exit_code=137, signal=9), "Signal:9"),
    ],
)
def test_a_terminated_container_shows_its_reason_or_exit(
    container: dict[str, Any], shown: str
) -> None:
    assert summarize(pod(container, phase="Succeeded"), NOW).status == shown


def test_completed_with_another_container_still_running_is_running_when_ready() -> None:
    done = {**terminated("Completed"), "name": "job"}
    assert summarize(pod(running(), done, ready=True), NOW).status == "Running"
    assert summarize(pod(running(), done, ready=False), NOW).status == "NotReady"


def test_a_pod_being_deleted_is_terminating() -> None:
    assert summarize(pod(running(), ready=True, deleting=True), NOW).status == "Terminating"


def test_a_pod_lost_with_its_node_is_unknown() -> None:
    lost = pod(running(), deleting=True, reason="NodeLost")
    assert summarize(lost, NOW).status == "Unknown"


def test_a_finished_pod_being_deleted_keeps_its_status() -> None:
    assert summarize(
        pod(terminated("Completed"), phase="Succeeded", deleting=True), NOW
    ).status == ("Completed")


@pytest.mark.parametrize(
    ("init_state", "shown"),
    [
        ({"waiting": {"reason": "PodInitializing"}}, "Init:0/1"),
        ({"running": {}}, "Init:0/1"),
        ({"waiting": {"reason": "CrashLoopBackOff"}}, "Init:CrashLoopBackOff"),
        ({"terminated": {"exitCode": 1, "reason": "Error"}}, "Init:Error"),
        ({"terminated": {"exitCode": 3}}, "Init:ExitCode:3"),
    ],
)
def test_init_containers_show_their_progress(init_state: dict[str, Any], shown: str) -> None:
    init = {"name": "setup", "ready": False, "restartCount": 0, "state": init_state}
    summary = summarize(pod(waiting("PodInitializing"), phase="Pending", init=(init,)), NOW)
    assert summary.status == shown


def test_a_started_sidecar_counts_in_ready_and_total() -> None:
    sidecar = {
        "name": "proxy",
        "ready": True,
        "started": True,
        "restartCount": 0,
        "state": {"running": {}},
    }
    summary = summarize(
        pod(
            running(),
            init=(sidecar,),
            init_specs=({"name": "proxy", "restartPolicy": "Always"},),
            ready=True,
        ),
        NOW,
    )
    assert (summary.ready_cell, summary.status) == ("2/2", "Running")
