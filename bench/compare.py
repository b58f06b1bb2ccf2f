"""`python -m bench.compare REV [--rounds N] [bench options]`: the bench's figures for the code at
REV and for the working tree, side by side.

On the machines this project runs on, speed drifts by up to 2× within hours, so figures taken at
different times cannot show a change of 5 %. This runs the whole bench (or the `--only`
scenarios) for both in turn, REV first, round after round: each side with its own bench and
package (a git worktree of REV, removed at the end), each run in its own process as usual. Then
it prints, per row, every time measured on each side and the change of their medians.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.report import seconds

ROOT = Path(__file__).resolve().parents[1]
"""The working tree this module belongs to (the side that is not REV)."""

_TIME = re.compile(r"^([\d,.]+) (ms|s)$")


@dataclass(frozen=True)
class Measured:
    """One row of one bench run: what it was (scenario and size) and the time it took."""

    scenario: str
    size: str
    seconds: float | None


def parse_time(text: str) -> float | None:
    """Inverse of bench.report.seconds: `850 ms` → 0.85, `12.3 s` → 12.3; None for no time."""
    match = _TIME.match(text.strip())
    if match is None:
        return None
    value = float(match[1].replace(",", ""))
    return value / 1000 if match[2] == "ms" else value


def parse_markdown(text: str) -> list[Measured]:
    """The rows of a table bench wrote with `--markdown` (the title line before it is skipped)."""
    rows = []
    for line in text.splitlines():
        if not line.startswith("| ") or line.startswith("| scenario |"):
            continue
        cells = [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        rows.append(Measured(cells[0], cells[1], parse_time(cells[2])))
    return rows


@dataclass(frozen=True)
class Compared:
    """One row, as both sides measured it over the rounds."""

    scenario: str
    size: str
    base: list[float]
    new: list[float]

    @property
    def change(self) -> float | None:
        """How much the median time moved, as a fraction of the base's (-0.1: 10 % faster)."""
        if not self.base or not self.new:
            return None
        return statistics.median(self.new) / statistics.median(self.base) - 1


def compare(base: Sequence[list[Measured]], new: Sequence[list[Measured]]) -> list[Compared]:
    """Match the rows of every run by scenario and size, in the order the bench printed them."""
    order: dict[tuple[str, str], None] = {}
    times: dict[tuple[str, str, str], list[float]] = {}
    for side, runs in (("base", base), ("new", new)):
        for rows in runs:
            for row in rows:
                key = (row.scenario, row.size)
                order.setdefault(key)
                if row.seconds is not None:
                    times.setdefault((side, *key), []).append(row.seconds)
    return [
        Compared(
            name, size, times.get(("base", name, size), []), times.get(("new", name, size), [])
        )
        for name, size in order
    ]


def print_comparison(rows: Sequence[Compared], console: Console, *, title: str) -> None:
    """One line per row: every time each side measured, then the change of the medians."""
    table = Table(title=title, title_justify="left")
    for name in ("scenario", "size", "base", "new", "change"):
        table.add_column(name, overflow="fold")
    for row in rows:
        change = row.change
        shown = "" if change is None else f"{change:+.1%}"
        table.add_row(
            row.scenario,
            row.size,
            ", ".join(seconds(value) for value in row.base),
            ", ".join(seconds(value) for value in row.new),
            shown,
        )
    console.print(table)


def run_bench(tree: Path, options: Sequence[str], table: Path) -> list[Measured]:
    """One bench run of the code in `tree`, by that tree's own bench (its progress on stderr)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(tree), env.get("PYTHONPATH"))))
    command = [sys.executable, "-m", "bench", *options, "--markdown", str(table)]
    subprocess.run(command, cwd=tree, env=env, stdout=subprocess.DEVNULL, check=False)
    if not table.exists():
        raise SystemExit(f"error: the bench of {tree} wrote no table")
    return parse_markdown(table.read_text())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    parser.add_argument("rev", help="the git revision to compare the working tree with")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each side (default 2)")
    parser.add_argument("--quick", action="store_true", help="the bench's reduced sizes")
    parser.add_argument("--only", action="append", default=[], help="run only NAME (repeatable)")
    args = parser.parse_args(argv)
    options = ["--quick"] * args.quick + [word for name in args.only for word in ("--only", name)]
    console = Console(stderr=True, log_path=False)
    with tempfile.TemporaryDirectory(prefix="reconciler-compare-") as scratch:
        base = Path(scratch) / "base"
        added = subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(base), args.rev],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if added.returncode != 0:
            console.print(f"error: cannot check out {args.rev}: {added.stderr.strip()}")
            return 2
        runs: dict[str, list[list[Measured]]] = {"base": [], "new": []}
        try:
            for number in range(1, args.rounds + 1):
                for side, tree in (("base", base), ("new", ROOT)):
                    console.log(f"[bold]round {number} of {args.rounds}: {side}[/bold]")
                    table = Path(scratch) / f"{side}-{number}.md"
                    runs[side].append(run_bench(tree, options, table))
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False
            )
    rounds = f"{args.rounds} round{'s' * (args.rounds != 1)} each"
    title = f"{args.rev} (base) against the working tree (new), {rounds}"
    print_comparison(compare(runs["base"], runs["new"]), Console(width=200), title=title)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
