"""Scenario 3, watch latency: the GitOps daemon on a folder, one file edited 50 times.

`reconciler watch DIR` runs on a folder of N manifests (half RCs, half services) once its initial
sync has every pod Running; then one RC file is rewritten 50 times, replicas one more each time.
The latency of an edit is from just before the write to the moment the bench, polling the store
read-only in a tight loop, sees the new pod Running (watchdog's buffering, the debounce, parsing,
apply and the controllers all included). Targets: p50 ≤ 200 ms, p99 ≤ 500 ms, at 100 and at
10,000 files alike (the cost of an edit must not grow with the folder).
"""

from __future__ import annotations

import math
import signal
import statistics
import time
from time import perf_counter

from bench.context import Context, create_cluster, first_error, nodes_for
from bench.generate import Dataset, generate, set_replicas
from bench.measure import Child, environment, reconciler_command
from bench.poll import PodCount, StoreReader
from bench.report import Op, Row, time_check

P50_TARGET = 0.200
P99_TARGET = 0.500
EDIT_TIMEOUT = 10.0
"""An edit whose pod is not Running after this long counts as this long."""
SETTLE = 0.3
"""Pause between edits, so that each one is a batch of its own, as a person's saves are."""
POLL = 0.001


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (p99 of 50 samples is the largest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def run_scenario(ctx: Context) -> list[Row]:
    sizes, edits = ((100, 1_000), 20) if ctx.quick else ((100, 10_000), 50)
    if not ctx.available("watch"):
        return [
            Row("watch: edit to pod Running", f"{n:,} files", unavailable="no `reconciler watch`")
            for n in sizes
        ]
    rows: list[Row] = []
    for files in sizes:
        rows.extend(_one_size(ctx, files, edits))
    return rows


def _one_size(ctx: Context, files: int, edits: int) -> list[Row]:
    data = generate(ctx.work / f"watch-{files}" / "manifests", apps=files // 2, node_ports=False)
    nodes = nodes_for(data.pods)
    size = f"{len(data.files):,} files, {edits} edits"
    name = "watch: edit to pod Running"
    home = ctx.home(f"watch-{files}")
    created = create_cluster(home, nodes=nodes)
    if not created.ok:
        return [Row(name, size, unavailable=f"cluster create failed: {first_error(created)}")]
    ctx.log(f"watch: daemon on {len(data.files):,} files ({data.pods:,} pods, {nodes} nodes)")
    daemon = Child(
        [*reconciler_command(), "watch", str(data.root), "--log-format", "json"],
        env=environment(home),
    )
    rows: list[Row] = []
    with StoreReader(home) as store:
        started = perf_counter()
        initial = _wait_converged(store, daemon, data, timeout=60 if ctx.quick else 180)
        initial_seconds = perf_counter() - started
        rows.append(
            Row(
                "watch: initial sync to all pods Running",
                f"{data.documents:,} manifests, {data.pods:,} pods",
                initial_seconds,
                f"{data.documents / initial_seconds:,.0f} manifests/s",
                note=""
                if initial == PodCount(data.pods, data.pods)
                else f"{initial.running:,} of {data.pods:,} pods Running",
            )
        )
        latencies: list[float] = []
        late = 0
        if initial == PodCount(data.pods, data.pods):
            app = data.apps[len(data.apps) // 2]
            path = data.rc_file(app)
            for edit in range(1, edits + 1):
                wanted = data.replicas + edit
                began = perf_counter()
                set_replicas(path, wanted)
                while store.running_of_app(app) < wanted:
                    if perf_counter() - began > EDIT_TIMEOUT:
                        late += 1
                        break
                    time.sleep(POLL)
                latencies.append(min(perf_counter() - began, EDIT_TIMEOUT))
                time.sleep(SETTLE)
    daemon.signal(signal.SIGINT)
    stopped = daemon.wait(timeout=60)
    if not latencies:
        reason = first_error(stopped) if stopped.returncode else "initial sync did not converge"
        rows.append(
            Row(
                name,
                size,
                peak_rss=stopped.peak_rss,
                checks=[
                    time_check(Op.AT_MOST, P50_TARGET, None),
                    time_check(Op.AT_MOST, P99_TARGET, None),
                ],
                note=reason,
            )
        )
        return rows
    p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
    rows.append(
        Row(
            name,
            size,
            p50,
            f"p99 {p99 * 1000:,.0f} ms",
            stopped.peak_rss,
            [time_check(Op.AT_MOST, P50_TARGET, p50), time_check(Op.AT_MOST, P99_TARGET, p99)],
            note=_latency_note(latencies, late),
        )
    )
    return rows


def _latency_note(latencies: list[float], late: int) -> str:
    """Time is the p50; the slowest edits say whether a miss is one hiccup or a trend."""
    slowest = ", ".join(f"{v * 1000:,.0f}" for v in sorted(latencies)[-3:][::-1])
    note = f"time is p50; slowest {slowest} ms"
    return f"{note}; {late} edits over {EDIT_TIMEOUT:g} s" if late else note


def _wait_converged(
    store: StoreReader, daemon: Child, data: Dataset, *, timeout: float
) -> PodCount:
    """Poll until every pod is Running, the daemon died or the time ran out."""
    deadline = perf_counter() + timeout
    pods = store.pods()
    while pods != PodCount(data.pods, data.pods) and perf_counter() < deadline:
        if daemon.exited():
            break
        time.sleep(0.1)
        pods = store.pods()
    return pods
