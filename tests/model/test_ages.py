"""AGE as kubectl prints it: apimachinery's duration.HumanDuration, boundary by boundary."""

from __future__ import annotations

import pytest

from reconciler.clock import rfc3339
from reconciler.model.ages import DAY, HOUR, MINUTE, YEAR, human_duration, since


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (-2, "<invalid>"),
        (-1, "0s"),
        (-0.5, "0s"),
        (0, "0s"),
        (59, "59s"),
        (119, "119s"),
        (120, "2m"),
        (121, "2m1s"),
        (200, "3m20s"),
        (599, "9m59s"),
        (600, "10m"),
        (601, "10m"),
        (179 * MINUTE + 59, "179m"),
        (3 * HOUR, "3h"),
        (5 * HOUR + 30 * MINUTE, "5h30m"),
        (7 * HOUR + 59 * MINUTE, "7h59m"),
        (8 * HOUR, "8h"),
        (47 * HOUR + 59 * MINUTE, "47h"),
        (48 * HOUR, "2d"),
        (2 * DAY + 3 * HOUR, "2d3h"),
        (7 * DAY + 23 * HOUR, "7d23h"),
        (8 * DAY, "8d"),
        (729 * DAY, "729d"),
        (2 * YEAR, "2y"),
        (3 * YEAR + 45 * DAY, "3y45d"),
        (8 * YEAR, "8y"),
        (9 * YEAR + 100 * DAY, "9y"),
    ],
)
def test_human_duration_matches_kubectl_at_every_boundary(seconds: float, shown: str) -> None:
    assert human_duration(seconds) == shown


def test_since_reads_an_rfc3339_timestamp_against_the_given_now() -> None:
    created = 1_700_000_000.0
    assert since(rfc3339(created), created + 200) == "3m20s"


def test_since_without_a_timestamp_is_unknown() -> None:
    assert since(None, 0) == "<unknown>"
    assert since("", 0) == "<unknown>"
