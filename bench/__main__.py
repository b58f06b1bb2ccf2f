"""`python -m bench [--quick] [--only NAME] [--keep] [--markdown FILE]`: run the benchmarks.

Each scenario generates its data in a temporary work folder, runs reconciler in fresh processes
with their own state folder, and adds rows to one table printed at the end (progress goes to
stderr). `--quick` uses reduced sizes (about a minute; validate keeps its 2,000 files, whose
targets a smaller folder would miss for its start-up alone); the full run takes under 15 minutes
on 2 cores. A scenario whose command has not landed yet says "not available"; one that crashes
says so in its row and the others still run. Exit status 0 when every target was met.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from time import perf_counter

from rich.console import Console

from bench.context import Context
from bench.measure import byte_compile
from bench.report import Row, markdown, print_table
from bench.scenarios import apply, cli, scale, validate, watch

SCENARIOS: dict[str, Callable[[Context], list[Row]]] = {
    "validate": validate.run_scenario,
    "apply": apply.run_scenario,
    "watch": watch.run_scenario,
    "scale": scale.run_scenario,
    "cli": cli.run_scenario,
}


def machine() -> str:
    """One line on the machine: cores, CPU model, memory, Python."""
    model = "unknown CPU"
    memory = "unknown RAM"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0))
    return f"{cores} cores, {model}, {memory}, Python {platform.python_version()}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes (about a minute)")
    parser.add_argument("--only", choices=sorted(SCENARIOS), action="append", help="run only NAME")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and print it")
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown to FILE")
    args = parser.parse_args(argv)
    console = Console(stderr=True, log_path=False)
    work = Path(tempfile.mkdtemp(prefix="reconciler-bench-"))
    ctx = Context(quick=args.quick, work=work, console=console)
    rows: list[Row] = []
    started = perf_counter()
    byte_compile()
    try:
        for name in args.only or list(SCENARIOS):
            ctx.log(f"[bold]{name}[/bold]")
            try:
                rows.extend(SCENARIOS[name](ctx))
            except Exception as error:  # one broken scenario must not hide the others' rows
                console.print(traceback.format_exc())
                rows.append(Row(name, "", unavailable=f"bench error: {error!r}"[:200]))
    finally:
        if args.keep:
            console.print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    title = (
        f"reconciler benchmarks ({'quick' if args.quick else 'full'}, "
        f"{perf_counter() - started:,.0f} s) on {machine()}"
    )
    print_table(rows, Console(width=200), title=title)
    if args.markdown:
        args.markdown.write_text(f"{title}\n\n{markdown(rows)}")
    return 0 if all(row.met is not False for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
