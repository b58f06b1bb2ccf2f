"""The side-by-side comparison reads back the tables the bench writes and matches their rows."""

from __future__ import annotations

import pytest

from bench.compare import Measured, compare, parse_markdown, parse_time
from bench.report import Check, Op, Row, markdown, seconds


@pytest.mark.parametrize("value", [0.0421, 0.85, 1.0, 12.34, 134.2, 1_234.0])
def test_a_time_as_the_table_shows_it_reads_back(value: float) -> None:
    assert parse_time(seconds(value)) == pytest.approx(value, rel=0.01, abs=0.0005)


def test_a_cell_without_a_time_reads_as_none() -> None:
    assert parse_time("") is None
    assert parse_time("1,542 MB") is None


def test_the_rows_of_a_markdown_table_read_back_with_their_times() -> None:
    rows = [
        Row(
            "validate (cold)",
            "2,000 files",
            0.669,
            "2,988 docs/s",
            80 * 2**20,
            [Check(Op.AT_LEAST, 2_500, 2_988, "docs/s")],
        ),
        Row("a | piped name", "10,000 manifests", 19.5, note="x | y"),
        Row("scale", "5,000 nodes", unavailable="no `reconciler apply` yet"),
    ]
    text = "reconciler benchmarks (full, 509 s) on 2 cores\n\n" + markdown(rows)
    assert parse_markdown(text) == [
        Measured("validate (cold)", "2,000 files", 0.669),
        Measured("a | piped name", "10,000 manifests", 19.5),
        Measured("scale", "5,000 nodes", None),
    ]


def test_rows_are_matched_by_scenario_and_size_and_their_medians_compared() -> None:
    base = [
        [Measured("apply", "10k", 20.0), Measured("watch", "100", 0.07)],
        [Measured("apply", "10k", 22.0), Measured("watch", "100", 0.08)],
    ]
    new = [
        [Measured("apply", "10k", 18.0), Measured("only new", "1", 1.0)],
        [Measured("apply", "10k", 16.0), Measured("watch", "100", None)],
    ]
    compared = {(row.scenario, row.size): row for row in compare(base, new)}
    assert list(compared) == [("apply", "10k"), ("watch", "100"), ("only new", "1")]
    assert compared["apply", "10k"].base == [20.0, 22.0]
    assert compared["apply", "10k"].new == [18.0, 16.0]
    assert compared["apply", "10k"].change == pytest.approx(17 / 21 - 1)
    assert compared["watch", "100"].change is None
    assert compared["only new", "1"].change is None
