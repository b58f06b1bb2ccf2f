"""The arithmetic of a rollout, as deploymentutil computes it: surge rounds up, unavailability
down, both zero means one unavailable; the new ReplicaSet grows up to the ceiling; a resize
mid-rollout is shared in proportion to each ReplicaSet's size."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.cluster.controllers.rollout import (
    Direction,
    active_or_latest,
    fenceposts,
    max_surge,
    max_unavailable,
    new_rs_replicas,
    proportional_sizes,
    scaled_value,
    sort_for_resize,
)
from reconciler.model.keys import Obj


def deployment(replicas: int, strategy: dict[str, Any] | None = None) -> Obj:
    return {
        "metadata": {"name": "kubia"},
        "spec": {"replicas": replicas, "strategy": strategy or {"type": "RollingUpdate"}},
    }


def rolling(surge: int | str, unavailable: int | str) -> dict[str, Any]:
    return {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable},
    }


def rs(name: str, replicas: int, *, created: str = "2024-01-01T00:00:00Z", **notes: str) -> Obj:
    annotations = {f"deployment.kubernetes.io/{k.replace('_', '-')}": v for k, v in notes.items()}
    return {
        "metadata": {"name": name, "creationTimestamp": created, "annotations": annotations},
        "spec": {"replicas": replicas},
    }


@pytest.mark.parametrize(
    ("value", "total", "up", "down"),
    [("25%", 3, 1, 0), ("25%", 4, 1, 1), ("25%", 10, 3, 2), (2, 10, 2, 2), ("0%", 5, 0, 0)],
)
def test_percentages_round_up_for_surge_and_down_for_unavailability(
    value: int | str, total: int, up: int, down: int
) -> None:
    assert scaled_value(value, total, round_up=True) == up
    assert scaled_value(value, total, round_up=False) == down


def test_when_both_bounds_resolve_to_zero_one_pod_may_be_unavailable() -> None:
    assert fenceposts(deployment(3, rolling("0%", "10%"))) == (0, 1)


def test_recreate_has_neither_surge_nor_unavailability() -> None:
    recreate = deployment(3, {"type": "Recreate"})
    assert (max_surge(recreate), max_unavailable(recreate)) == (0, 0)


def test_the_new_replica_set_grows_up_to_replicas_plus_surge() -> None:
    d = deployment(10, rolling("30%", "20%"))
    old, new = rs("old", 10), rs("new", 0)
    assert new_rs_replicas(d, [old, new], new) == 3
    old, new = rs("old", 8), rs("new", 3)
    assert new_rs_replicas(d, [old, new], new) == 5
    old, new = rs("old", 5), rs("new", 8)
    assert new_rs_replicas(d, [old, new], new) == 8  # at the ceiling: nothing to add
    old, new = rs("old", 1), rs("new", 8)
    assert new_rs_replicas(d, [old, new], new) == 10  # never above the desired count


def test_the_one_active_replica_set_or_else_the_newest_takes_a_resize() -> None:
    old, new = rs("old", 0), rs("new", 3)
    assert active_or_latest(new, [old]) is new
    older, newer = rs("a", 0), rs("b", 0, created="2024-02-01T00:00:00Z")
    assert active_or_latest(None, [older, newer]) is newer
    assert active_or_latest(rs("new", 1), [rs("old", 2)]) is None


def test_a_resize_mid_rollout_is_shared_in_proportion() -> None:
    d = deployment(10, rolling(3, 2))  # ceiling 13, was 4 + 1 surge = 5 when sized
    old = rs("old", 2, max_replicas="5")
    new = rs("new", 3, created="2024-01-02T00:00:00Z", max_replicas="5")
    running = sort_for_resize(d, [old, new])
    assert [r["metadata"]["name"] for r in running] == ["new", "old"]
    direction, sizes = proportional_sizes(d, running)
    assert direction is Direction.UP
    assert sizes == [8, 5]  # 3*13/5 = 7.8 → 8; 2*13/5 = 5.2 → 5; total 13


def test_a_shrink_mid_rollout_takes_from_the_older_of_equal_sets_first() -> None:
    d = deployment(1, rolling(1, 0))  # ceiling 2, was 4 + 1 = 5
    old = rs("old", 2, max_replicas="5")
    new = rs("new", 2, created="2024-01-02T00:00:00Z", max_replicas="5")
    running = sort_for_resize(d, [old, new])
    assert [r["metadata"]["name"] for r in running] == ["old", "new"]
    direction, sizes = proportional_sizes(d, running)
    assert direction is Direction.DOWN
    assert sum(sizes) == 2 and all(size >= 0 for size in sizes)
