"""Scenario 1, validate: 2,000 manifest files with planted mistakes, in a cold process.

`reconciler validate DIR` runs cold first (a fresh state folder, so nothing cached) for
documents per second end to end (target ≥ 2,500), then five more times over the unchanged folder,
whose median should cost little more than starting the process and reading the files (target: at
most the start-up of `reconciler --version` plus twice the time to read every file; the note
lists all five: a run reads and hashes every file until one finds them unchanged for a tenth of
a second and remembers their stat, and those after it answer from the stat). Every planted
mistake must be reported at one of its lines (`file:line`). When kubernetes-validate is
installed (`pip install -e '.[bench]'`), it checks the same files in the same run (`--strict`,
else it lets misspelt fields through), and the ratio of documents per second must be ≥ 20×.
"""

from __future__ import annotations

import re
import shutil
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from time import perf_counter

from bench.context import Context, first_error
from bench.generate import Dataset, generate
from bench.measure import Run, environment, reconciler_command, run
from bench.report import Check, Op, Row, seconds, time_check

APPS = 1_000
"""A ReplicationController and a Service each: 2,000 files."""
MISTAKES = 40
RATE_TARGET = 2_500.0
RATIO_TARGET = 20.0
WARM_RUNS = 5
"""Runs over the unchanged folder, each in a fresh process; their median is compared with the
target (one run of a few hundred milliseconds moves by a third on a shared machine)."""
PEER = "kubernetes-validate"
_POSITION = re.compile(r"(?P<path>[^\s:'\"()]+\.(?:ya?ml|json)):(?P<line>\d+)")


def reported_lines(output: str) -> dict[str, set[int]]:
    """File name → the lines the output points at (`path:line` or `path:line:col`)."""
    found: dict[str, set[int]] = defaultdict(set)
    for match in _POSITION.finditer(output):
        found[Path(match["path"]).name].add(int(match["line"]))
    return found


def caught(data: Dataset, output: str) -> tuple[int, list[str]]:
    """How many planted mistakes the output names at one of their lines, and the missed ones."""
    lines = reported_lines(output)
    missed = [
        f"{m.kind} ({m.path.name}:{m.line})"
        for m in data.mistakes
        if not lines.get(m.path.name, set()) & m.lines
    ]
    return len(data.mistakes) - len(missed), missed


def false_alarms(data: Dataset, output: str) -> int:
    """Files named in the output that hold no planted mistake."""
    planted = {m.path.name for m in data.mistakes}
    return sum(1 for name in reported_lines(output) if name not in planted)


def _peer_command() -> list[str] | None:
    script = Path(sys.executable).parent / PEER
    if script.exists():
        return [str(script)]
    found = shutil.which(PEER)
    return [found] if found else None


def _read_all(files: list[Path]) -> float:
    """Seconds to read every file once (the floor of any validation)."""
    started = perf_counter()
    for path in files:
        path.read_bytes()
    return perf_counter() - started


def _startup(ctx: Context, home: Path) -> float:
    runs = [
        run([*reconciler_command(), "--version"], env=environment(home), timeout=60)
        for _ in range(3)
    ]
    return statistics.median(r.seconds for r in runs)


def run_scenario(ctx: Context) -> list[Row]:
    """The same 2,000 files in a quick run: the targets are rates and a margin over start-up,
    which a smaller folder would miss for its start-up alone (500 files: 1,655 docs/s)."""
    folder = ctx.work / "validate" / "manifests"
    data = generate(folder, apps=APPS, mistakes=MISTAKES)
    size = f"{len(data.files):,} files, {data.documents:,} docs"
    ctx.log(f"validate: generated {size} with {len(data.mistakes)} planted mistakes")
    rows: list[Row] = []
    ours: Run | None = None
    if not ctx.available("validate"):
        rows.append(Row("validate (cold)", size, unavailable="no `reconciler validate` yet"))
    else:
        ours = _ours(ctx, data, size, rows)
    rows.extend(_peer(ctx, data, size, ours))
    return rows


def _ours(ctx: Context, data: Dataset, size: str, rows: list[Row]) -> Run:
    home = ctx.home("validate")
    env = environment(home)
    command = [*reconciler_command(), "validate", str(data.root)]
    ctx.log("validate: cold run")
    cold = run(command, env=env, timeout=300)
    rate = data.documents / cold.seconds
    rows.append(
        Row(
            "validate (cold)",
            size,
            cold.seconds,
            f"{rate:,.0f} docs/s",
            cold.peak_rss,
            [Check(Op.AT_LEAST, RATE_TARGET, rate, "docs/s")],
            note="timed out" if cold.timed_out else "",
        )
    )
    output = cold.stdout + cold.stderr
    found, missed = caught(data, output)
    alarms = false_alarms(data, output)
    notes = []
    if missed:
        notes.append("missed " + "; ".join(missed[:4]) + (" …" if len(missed) > 4 else ""))
    if alarms:
        notes.append(f"{alarms} clean files reported")
    if cold.returncode == 0:
        notes.append("exit code 0 despite the mistakes")
    if not found and not output.strip():
        notes.append(first_error(cold))
    rows.append(
        Row(
            "validate: planted mistakes caught at their line",
            f"{len(data.mistakes)} mistakes, 4 kinds",
            checks=[Check(Op.AT_LEAST, len(data.mistakes), found, "caught")],
            note="; ".join(notes),
        )
    )
    ctx.log(f"validate: {WARM_RUNS} more runs over the unchanged folder")
    warm = [run(command, env=env, timeout=300) for _ in range(WARM_RUNS)]
    median = statistics.median(r.seconds for r in warm)
    reading = statistics.median(_read_all(data.files) for _ in range(3))
    floor = _startup(ctx, home) + 2 * reading
    rows.append(
        Row(
            "validate (unchanged folder, cache)",
            size,
            median,
            f"{data.documents / median:,.0f} docs/s",
            max(r.peak_rss for r in warm),
            [time_check(Op.AT_MOST, floor, median)],
            note=f"median of {', '.join(seconds(r.seconds) for r in warm)}; "
            "target: start-up + 2 × reading the files",
        )
    )
    return cold


def _peer(ctx: Context, data: Dataset, size: str, ours: Run | None) -> list[Row]:
    peer = _peer_command()
    name = f"{PEER} --strict (peer)"
    if peer is None:
        unavailable = f"{PEER} not installed (pip install -e '.[bench]')"
        return [
            Row(name, size, unavailable=unavailable),
            Row("validate vs kubernetes-validate", size, unavailable=unavailable),
        ]
    ctx.log(f"validate: {PEER} on the same files")
    home = ctx.work / "validate" / "peer"
    home.mkdir(parents=True, exist_ok=True)
    result = run(
        [*peer, "--strict", *(str(p) for p in data.files)], env=environment(home), timeout=600
    )
    output = result.stdout + result.stderr
    if result.timed_out or "Traceback" in output:
        reason = "timed out" if result.timed_out else first_error(result)
        return [
            Row(name, size, unavailable=f"could not run here: {reason}"),
            Row("validate vs kubernetes-validate", size, unavailable=f"{PEER} could not run"),
        ]
    flagged = {
        Path(word).name
        for line in output.splitlines()
        if line.startswith("ERROR")
        for word in line.split()
        if word.endswith((".yaml", ".yml"))
    }
    planted = sum(1 for m in data.mistakes if m.path.name in flagged)
    rate = data.documents / result.seconds
    rows = [
        Row(
            name,
            size,
            result.seconds,
            f"{rate:,.0f} docs/s",
            result.peak_rss,
            note=f"flags {planted} of {len(data.mistakes)} planted mistakes (file only, no line)",
        )
    ]
    if ours is None:
        rows.append(Row("validate vs kubernetes-validate", size, unavailable="no ours to compare"))
    else:
        ratio = (data.documents / ours.seconds) / rate
        rows.append(
            Row(
                "validate vs kubernetes-validate",
                size,
                rate=f"{ratio:,.2f}×",
                checks=[Check(Op.AT_LEAST, RATIO_TARGET, ratio, "×", show=lambda v: f"{v:,.2f}")],
                note="docs/s, same files, same run",
            )
        )
    return rows
