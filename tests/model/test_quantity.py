"""Kubernetes quantities parse exactly and round up as resource.Quantity does."""

from __future__ import annotations

import pytest

from reconciler.errors import Invalid
from reconciler.model.quantity import milli_value, parse_quantity, value


@pytest.mark.parametrize(
    ("text", "millis"),
    [("100m", 100), ("1", 1000), ("0.5", 500), ("2", 2000), ("1.5", 1500), (1, 1000), ("1u", 1)],
)
def test_cpu_quantities_read_in_millicores(text: str | int, millis: int) -> None:
    assert milli_value(text) == millis


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("128Mi", 128 * 2**20),
        ("1Gi", 2**30),
        ("500M", 500_000_000),
        ("4030348Ki", 4030348 * 1024),
        ("1e3", 1000),
        ("1.5k", 1500),
        ("0.1", 1),
        ("110", 110),
    ],
)
def test_memory_and_counts_read_in_units_rounded_up(text: str, units: int) -> None:
    assert value(text) == units


@pytest.mark.parametrize("text", ["", "abc", "1Qi", "1 Gi", "--1", "1.2.3"])
def test_malformed_quantities_are_invalid(text: str) -> None:
    with pytest.raises(Invalid, match="quantities must match the regular expression"):
        parse_quantity(text)
