"""A Deployment's status: counts summed over its ReplicaSets, and its conditions.

Ports `calculateStatus` (pkg/controller/deployment/sync.go) and the progress estimation of
progress.go, with Kubernetes' reasons and messages:
- Available: True `MinimumReplicasAvailable` "Deployment has minimum availability." when at
  least replicas - maxUnavailable pods are available, else False `MinimumReplicasUnavailable`
  "Deployment does not have minimum availability.".
- Progressing: True `NewReplicaSetCreated` / `FoundNewReplicaSet` / `ReplicaSetUpdated` ("ReplicaSet
  "x" is progressing.", its lastUpdateTime moved on every sign of progress) /
  `NewReplicaSetAvailable` ("ReplicaSet "x" has successfully progressed."); False
  `ProgressDeadlineExceeded` ("ReplicaSet "x" has timed out progressing.") once no progress was
  seen for progressDeadlineSeconds; Unknown `DeploymentPaused` / `DeploymentResumed`.
- ReplicaFailure: copied from a ReplicaSet that cannot create or delete pods.
Condition fields are ordered as the API serializes them; setting a condition whose status and
reason are unchanged changes nothing, otherwise it moves to the end of the list (as
SetDeploymentCondition does, which is why `describe` lists Available before Progressing).

Used by the deployment controller. Pure: the caller passes "now" and writes the result.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from reconciler.clock import parse_rfc3339, rfc3339
from reconciler.cluster.controllers.rollout import max_unavailable, status_count, total_replicas
from reconciler.model.conditions import status_condition
from reconciler.model.keys import Obj

Condition = dict[str, Any]
NO_DEADLINE = 2**31 - 1
"""progressDeadlineSeconds of MaxInt32 means "no deadline" (HasProgressDeadline)."""


class Reason(StrEnum):
    """The condition reasons of pkg/controller/deployment/util/deployment_util.go."""

    MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable"
    MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable"
    NEW_RS_CREATED = "NewReplicaSetCreated"
    FOUND_NEW_RS = "FoundNewReplicaSet"
    RS_UPDATED = "ReplicaSetUpdated"
    NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
    TIMED_OUT = "ProgressDeadlineExceeded"
    PAUSED = "DeploymentPaused"
    RESUMED = "DeploymentResumed"


def condition(kind: str, status: str, reason: Reason, message: str, *, now: float) -> Condition:
    """NewDeploymentCondition."""
    stamp = rfc3339(now)
    return {
        "type": kind,
        "status": status,
        "lastUpdateTime": stamp,
        "lastTransitionTime": stamp,
        "reason": str(reason),
        "message": message,
    }


def set_condition(status: dict[str, Any], new: Condition) -> None:
    """SetDeploymentCondition: no change when status and reason are the same; the transition
    time kept when only the reason changes; the condition moved to the end."""
    current = status_condition(status, new["type"])
    if current is not None and (current["status"], current.get("reason")) == (
        new["status"],
        new["reason"],
    ):
        return
    if current is not None and current["status"] == new["status"]:
        new = {**new, "lastTransitionTime": current.get("lastTransitionTime")}
    remove_condition(status, new["type"])
    status.setdefault("conditions", []).append(new)


def remove_condition(status: dict[str, Any], kind: str) -> None:
    kept = [c for c in status.get("conditions") or () if c.get("type") != kind]
    if kept:
        status["conditions"] = kept
    else:
        status.pop("conditions", None)


def has_progress_deadline(deployment: Obj) -> bool:
    deadline = (deployment.get("spec") or {}).get("progressDeadlineSeconds")
    return deadline is not None and int(deadline) != NO_DEADLINE


def calculate_status(
    deployment: Obj, all_sets: Sequence[Obj | None], new: Obj | None, *, now: float
) -> dict[str, Any]:
    """The counts over every ReplicaSet, the previous conditions, and Available set afresh.
    Zero counts are left out, as the API's JSON omits them."""
    old = deployment.get("status") or {}
    available = status_count(all_sets, "availableReplicas")
    status: dict[str, Any] = {}
    generation = deployment["metadata"].get("generation")
    counts = (
        ("observedGeneration", int(generation or 0)),
        ("replicas", status_count(all_sets, "replicas")),
        ("updatedReplicas", status_count([new], "replicas")),
        ("readyReplicas", status_count(all_sets, "readyReplicas")),
        ("availableReplicas", available),
        ("unavailableReplicas", max(total_replicas(all_sets) - available, 0)),
    )
    for field, value in counts:
        if value:
            status[field] = value
    if old.get("conditions"):
        status["conditions"] = copy.deepcopy(old["conditions"])
    if "collisionCount" in old:
        status["collisionCount"] = old["collisionCount"]
    _set_availability(deployment, status, now=now)
    return status


def _set_availability(deployment: Obj, status: dict[str, Any], *, now: float) -> None:
    desired = int((deployment.get("spec") or {}).get("replicas", 1))
    if int(status.get("availableReplicas") or 0) >= desired - max_unavailable(deployment):
        new = condition(
            "Available",
            "True",
            Reason.MINIMUM_REPLICAS_AVAILABLE,
            "Deployment has minimum availability.",
            now=now,
        )
    else:
        new = condition(
            "Available",
            "False",
            Reason.MINIMUM_REPLICAS_UNAVAILABLE,
            "Deployment does not have minimum availability.",
            now=now,
        )
    set_condition(status, new)


def complete(deployment: Obj, status: dict[str, Any]) -> bool:
    """DeploymentComplete: every replica updated and available, none old, generation seen."""
    desired = int((deployment.get("spec") or {}).get("replicas", 1))
    generation = int(deployment["metadata"].get("generation") or 0)
    return (
        int(status.get("updatedReplicas") or 0) == desired
        and int(status.get("replicas") or 0) == desired
        and int(status.get("availableReplicas") or 0) == desired
        and int(status.get("observedGeneration") or 0) >= generation
    )


def _progressing(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """DeploymentProgressing: more updated, ready or available pods, or fewer old ones."""

    def count(status: dict[str, Any], field: str) -> int:
        return int(status.get(field) or 0)

    old_olds = count(old, "replicas") - count(old, "updatedReplicas")
    new_olds = count(new, "replicas") - count(new, "updatedReplicas")
    return (
        count(new, "updatedReplicas") > count(old, "updatedReplicas")
        or new_olds < old_olds
        or count(new, "readyReplicas") > count(old, "readyReplicas")
        or count(new, "availableReplicas") > count(old, "availableReplicas")
    )


def _deadline(deployment: Obj) -> float:
    return float((deployment.get("spec") or {}).get("progressDeadlineSeconds") or 0)


def timed_out(deployment: Obj, status: dict[str, Any], *, now: float) -> bool:
    """DeploymentTimedOut: no progress reported for longer than the deadline."""
    if not has_progress_deadline(deployment):
        return False
    current = status_condition(status, "Progressing")
    if current is None or current.get("reason") == Reason.NEW_RS_AVAILABLE:
        return False
    if current.get("reason") == Reason.TIMED_OUT:
        return True
    return parse_rfc3339(current["lastUpdateTime"]) + _deadline(deployment) < now


def estimate_progress(
    deployment: Obj, status: dict[str, Any], new: Obj | None, *, now: float
) -> None:
    """The Progressing condition after a rollout step (syncRolloutStatus), in place."""
    if not has_progress_deadline(deployment):
        remove_condition(status, "Progressing")
        return
    old = deployment.get("status") or {}
    current = status_condition(old, "Progressing")
    finished = (
        int(status.get("replicas") or 0) == int(status.get("updatedReplicas") or 0)
        and current is not None
        and current.get("reason") == Reason.NEW_RS_AVAILABLE
    )
    if finished:
        return
    subject = f'Deployment "{deployment["metadata"]["name"]}"'
    if new is not None:
        subject = f'ReplicaSet "{new["metadata"]["name"]}"'
    if complete(deployment, status):
        set_condition(
            status,
            condition(
                "Progressing",
                "True",
                Reason.NEW_RS_AVAILABLE,
                f"{subject} has successfully progressed.",
                now=now,
            ),
        )
    elif _progressing(old, status):
        update = condition(
            "Progressing", "True", Reason.RS_UPDATED, f"{subject} is progressing.", now=now
        )
        if current is not None:
            if current["status"] == "True":
                update["lastTransitionTime"] = current.get("lastTransitionTime")
            remove_condition(status, "Progressing")
        set_condition(status, update)
    elif timed_out(deployment, status, now=now):
        set_condition(
            status,
            condition(
                "Progressing",
                "False",
                Reason.TIMED_OUT,
                f"{subject} has timed out progressing.",
                now=now,
            ),
        )


def replica_failure(all_sets: Sequence[Obj | None], new: Obj | None) -> Condition | None:
    """getReplicaFailures: the new ReplicaSet's ReplicaFailure condition, else an old one's."""
    for candidates in ([new], all_sets):
        for rs in candidates:
            for found in ((rs or {}).get("status") or {}).get("conditions") or ():
                if found.get("type") == "ReplicaFailure":
                    return {
                        "type": "ReplicaFailure",
                        "status": found.get("status"),
                        "lastUpdateTime": found.get("lastTransitionTime"),
                        "lastTransitionTime": found.get("lastTransitionTime"),
                        "reason": found.get("reason"),
                        "message": found.get("message"),
                    }
    return None


def stuck_requeue(deployment: Obj, status: dict[str, Any], *, now: float) -> float | None:
    """requeueStuckDeployment: seconds until the deadline check of a rollout that shows no
    progress now (a second past the deadline, as Kubernetes adds one), or None."""
    current = status_condition(deployment.get("status") or {}, "Progressing")
    if not has_progress_deadline(deployment) or current is None:
        return None
    if complete(deployment, status) or current.get("reason") == Reason.TIMED_OUT:
        return None
    after = parse_rfc3339(current["lastUpdateTime"]) + _deadline(deployment) - now
    return max(after, 0.0) + 1.0
