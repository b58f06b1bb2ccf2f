"""The arithmetic of a rollout: surge and unavailability bounds, how far the new ReplicaSet may
grow, how far the old ones may shrink, and how a resize is shared among ReplicaSets.

Ports of pkg/controller/deployment/util/deployment_util.go (ResolveFenceposts, MaxSurge,
MaxUnavailable, NewRSNewReplicas, IsSaturated, FindActiveOrLatest, GetProportion) and of the
sizing part of sync.go's `scale`. maxSurge percentages round up, maxUnavailable percentages round
down; when both come out 0, maxUnavailable is 1 (surge might be impossible under a quota).

Used by the deployment controller's strategies. Pure: reads object dicts, writes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from reconciler.model.deployments import DESIRED_REPLICAS, MAX_REPLICAS, annotations_of, replicas_of
from reconciler.model.keys import Obj


class Direction(StrEnum):
    """Which way a ReplicaSet is scaled, as the ScalingReplicaSet event says it."""

    UP = "up"
    DOWN = "down"


def scaled_value(value: int | str | None, total: int, *, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent: a number as it is, `25%` of `total` rounded up or
    down. Malformed values count as 0 (validation refuses them before they get here)."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    text = str(value)
    if not text.endswith("%") or not text[:-1].isdigit():
        return int(text) if text.isdigit() else 0
    share = int(text[:-1]) * total / 100
    return math.ceil(share) if round_up else math.floor(share)


def _rolling(deployment: Obj) -> dict[str, Any] | None:
    """spec.strategy.rollingUpdate ({} when unset), None for the Recreate strategy."""
    strategy = (deployment.get("spec") or {}).get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return None
    rolling: dict[str, Any] = strategy.get("rollingUpdate") or {}
    return rolling


def fenceposts(deployment: Obj) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) resolved against spec.replicas (ResolveFenceposts)."""
    rolling = _rolling(deployment) or {}
    desired = replicas_of(deployment)
    surge = scaled_value(rolling.get("maxSurge"), desired, round_up=True)
    unavailable = scaled_value(rolling.get("maxUnavailable"), desired, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_surge(deployment: Obj) -> int:
    """How many pods above spec.replicas a rolling update may run (0 for Recreate)."""
    if _rolling(deployment) is None:
        return 0
    return fenceposts(deployment)[0]


def max_unavailable(deployment: Obj) -> int:
    """How many of spec.replicas may be unavailable during a rolling update (0 for Recreate)."""
    desired = replicas_of(deployment)
    if _rolling(deployment) is None or desired == 0:
        return 0
    return min(fenceposts(deployment)[1], desired)


def total_replicas(replica_sets: Sequence[Obj | None]) -> int:
    """GetReplicaCountForReplicaSets: the sum of spec.replicas."""
    return sum(replicas_of(rs) for rs in replica_sets if rs is not None)


def status_count(replica_sets: Sequence[Obj | None], field: str) -> int:
    """The sum of one status counter (replicas, readyReplicas, availableReplicas)."""
    return sum(int((rs.get("status") or {}).get(field) or 0) for rs in replica_sets if rs)


def active(replica_sets: Sequence[Obj | None]) -> list[Obj]:
    """FilterActiveReplicaSets: those with spec.replicas above 0."""
    return [rs for rs in replica_sets if rs is not None and replicas_of(rs) > 0]


def new_rs_replicas(deployment: Obj, all_sets: Sequence[Obj], new: Obj) -> int:
    """NewRSNewReplicas: the size the new ReplicaSet may grow to now."""
    desired = replicas_of(deployment)
    if _rolling(deployment) is None:
        return desired
    ceiling = desired + max_surge(deployment)
    current = total_replicas(all_sets)
    if current >= ceiling:
        return replicas_of(new)
    return replicas_of(new) + min(ceiling - current, desired - replicas_of(new))


def annotated(rs: Obj, key: str) -> int | None:
    try:
        return int(annotations_of(rs)[key])
    except (KeyError, ValueError):
        return None


def is_saturated(deployment: Obj, rs: Obj | None) -> bool:
    """The ReplicaSet alone runs the deployment at full size, all available (IsSaturated)."""
    if rs is None:
        return False
    desired = replicas_of(deployment)
    available = int((rs.get("status") or {}).get("availableReplicas") or 0)
    return (
        replicas_of(rs) == desired
        and annotated(rs, DESIRED_REPLICAS) == desired
        and available == desired
    )


def active_or_latest(new: Obj | None, olds: Sequence[Obj]) -> Obj | None:
    """FindActiveOrLatest: the one active ReplicaSet, or the newest when none is active, or
    None when several are active (a proportional scale is then needed)."""
    if new is None and not olds:
        return None
    newest_first = list(reversed(olds))
    running = active([*newest_first, new])
    if len(running) == 1:
        return running[0]
    if not running:
        return new if new is not None else newest_first[0]
    return None


def _round(value: float) -> int:
    """Go's math.Round: halves away from zero."""
    return math.floor(value + 0.5) if value >= 0 else -math.floor(-value + 0.5)


def _fraction(rs: Obj, deployment: Obj) -> int:
    """getReplicaSetFraction: how many replicas this ReplicaSet gains (or loses) when the
    deployment's ceiling moves from the one annotated on it to the current one."""
    desired = replicas_of(deployment)
    if desired == 0:
        return -replicas_of(rs)
    ceiling = desired + max_surge(deployment)
    before = annotated(rs, MAX_REPLICAS) or int(
        (deployment.get("status") or {}).get("replicas") or 0
    )
    if before == 0:  # no annotation and no replicas: nothing to be proportional to
        return 0
    return _round(replicas_of(rs) * ceiling / before) - replicas_of(rs)


def proportional_sizes(deployment: Obj, running: Sequence[Obj]) -> tuple[Direction, list[int]]:
    """New sizes for the active ReplicaSets of a rolling deployment resized mid-rollout, in the
    order of `running` sorted as Kubernetes sorts them (returned alongside): the difference
    between the new ceiling and today's total is shared in proportion to each one's size, the
    leftover going to the first (largest) one."""
    desired = replicas_of(deployment)
    allowed = desired + max_surge(deployment) if desired > 0 else 0
    to_add = allowed - total_replicas(running)
    direction = Direction.UP if to_add > 0 else Direction.DOWN
    sizes: list[int] = []
    added = 0
    for rs in running:
        size = replicas_of(rs)
        if to_add != 0 and size != 0 and to_add != added:
            share = _fraction(rs, deployment)
            allowed_share = to_add - added
            proportion = min(share, allowed_share) if to_add > 0 else max(share, allowed_share)
            size += proportion
            added += proportion
        sizes.append(size)
    if sizes and to_add != 0:
        sizes[0] = max(sizes[0] + to_add - added, 0)
    return direction, sizes


def sort_for_resize(deployment: Obj, running: Sequence[Obj]) -> list[Obj]:
    """ReplicaSetsBySizeNewer when growing (newer first among equals), ReplicaSetsBySizeOlder
    when shrinking (older first among equals); largest first either way."""
    desired = replicas_of(deployment)
    allowed = desired + max_surge(deployment) if desired > 0 else 0
    growing = allowed - total_replicas(running) > 0
    oldest_first = sorted(
        running,
        key=lambda rs: (rs["metadata"].get("creationTimestamp", ""), rs["metadata"]["name"]),
    )
    ordered = list(reversed(oldest_first)) if growing else oldest_first
    return sorted(ordered, key=lambda rs: -replicas_of(rs))  # stable: ties keep the age order
