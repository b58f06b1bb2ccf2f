"""The results table: one row per measurement, its targets, and a verdict that never bends.

A `Row` holds what was measured (time, rate, peak RSS) and the `Check`s it must pass. The
verdict is `met` when every check passes, otherwise `missed:` followed by the measured figures
that failed; a scenario that could not run says why (`not available: …`). Targets are the
issue's numbers, written once in the scenarios: nothing here relaxes them. The same rows print as
a rich table (the terminal) or as Markdown (for README's Performance section).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from rich.console import Console
from rich.table import Table

MB = 1024 * 1024
GB = 1024 * MB


class Op(StrEnum):
    """How a measured figure compares with its target."""

    AT_MOST = "≤"
    AT_LEAST = "≥"


_COMPARE: dict[Op, Callable[[float, float], bool]] = {
    Op.AT_MOST: operator.le,
    Op.AT_LEAST: operator.ge,
}


@dataclass(frozen=True)
class Check:
    """One target and the figure measured against it; `measured` None means it could not be
    measured (which misses the target)."""

    op: Op
    limit: float
    measured: float | None
    unit: str
    show: Callable[[float], str] = lambda value: f"{value:,.0f}"

    @property
    def met(self) -> bool:
        return self.measured is not None and _COMPARE[self.op](self.measured, self.limit)

    @property
    def target(self) -> str:
        return f"{self.op} {self.show(self.limit)} {self.unit}".strip()

    @property
    def figure(self) -> str:
        if self.measured is None:
            return "not measured"
        return f"{self.show(self.measured)} {self.unit}".strip()


def seconds(value: float) -> str:
    """`850 ms`, `12.3 s`."""
    if value < 1:
        return f"{value * 1000:,.0f} ms"
    return f"{value:,.1f} s" if value < 100 else f"{value:,.0f} s"


def megabytes(value: float) -> str:
    return f"{value / MB:,.0f}"


def time_check(op: Op, limit: float, measured: float | None) -> Check:
    """A target in seconds, shown as ms or s."""
    return Check(op, limit, measured, "", show=seconds)


def rss_check(limit_bytes: float, measured: int | None) -> Check:
    """A peak RSS ceiling, shown in MB."""
    return Check(Op.AT_MOST, limit_bytes, measured, "MB RSS", show=megabytes)


@dataclass
class Row:
    """One line of the table."""

    scenario: str
    size: str
    time: float | None = None
    rate: str = ""
    peak_rss: int | None = None
    checks: list[Check] = field(default_factory=list)
    unavailable: str | None = None
    """Why the scenario could not run (a command not there yet, a peer not installed)."""
    note: str = ""
    """Said after the verdict: what a figure means, how it was measured."""

    @property
    def verdict(self) -> str:
        if self.unavailable is not None:
            return f"not available: {self.unavailable}"
        if not self.checks:
            return self.note
        missed = [c for c in self.checks if not c.met]
        text = "met" if not missed else "missed: " + ", ".join(c.figure for c in missed)
        return f"{text} ({self.note})" if self.note else text

    @property
    def met(self) -> bool | None:
        """True or False for a row with targets; None for an informative row."""
        if self.unavailable is not None or not self.checks:
            return None
        return all(c.met for c in self.checks)


COLUMNS = ("scenario", "size", "time", "rate", "peak RSS", "target", "verdict")


def cells(row: Row) -> tuple[str, ...]:
    return (
        row.scenario,
        row.size,
        "" if row.time is None else seconds(row.time),
        row.rate,
        "" if row.peak_rss is None else f"{row.peak_rss / MB:,.0f} MB",
        ", ".join(c.target for c in row.checks),
        row.verdict,
    )


def print_table(rows: Sequence[Row], console: Console, *, title: str) -> None:
    """The rich table, verdicts coloured."""
    table = Table(title=title, title_justify="left", show_lines=False)
    for name in COLUMNS:
        table.add_column(
            name, overflow="fold", justify="right" if name in ("time", "rate") else "left"
        )
    for row in rows:
        values = list(cells(row))
        style = {True: "green", False: "red", None: "dim"}[row.met]
        values[-1] = f"[{style}]{values[-1]}[/{style}]"
        table.add_row(*values)
    console.print(table)


def markdown(rows: Sequence[Row]) -> str:
    """The same table as Markdown."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        escaped = (cell.replace("|", "\\|") for cell in cells(row))
        lines.append("| " + " | ".join(escaped) + " |")
    return "\n".join(lines) + "\n"
