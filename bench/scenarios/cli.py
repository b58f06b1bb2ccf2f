"""Scenario 5, CLI: the cost of a command a person types.

`reconciler --version` ≤ 250 ms (the floor of every command: interpreter and imports), and
`reconciler get pods -l app=X` (3 pods) ≤ 500 ms on an idle cluster of 15,000 pods: an idle
cluster must advance in O(1) and a label query must use the store's index, not a full load.
Each is the median of 5 runs. The cluster (5,000 RCs × 3 replicas, no services) is built first
with `apply` and left to converge; that set-up is not timed.
"""

from __future__ import annotations

from bench.context import Context, apply_and_converge, create_cluster, first_error, nodes_for
from bench.generate import generate
from bench.measure import Run, environment, reconciler_command, run
from bench.report import Op, Row, time_check

VERSION_TARGET = 0.250
GET_TARGET = 0.500
RUNS = 5


def _median(runs: list[Run]) -> Run:
    ordered = sorted(runs, key=lambda r: r.seconds)
    return ordered[len(ordered) // 2]


def run_scenario(ctx: Context) -> list[Row]:
    return [_version(ctx), _get(ctx)]


def _version(ctx: Context) -> Row:
    home = ctx.home("cli-version")
    runs = [
        run([*reconciler_command(), "--version"], env=environment(home), timeout=60)
        for _ in range(RUNS)
    ]
    middle = _median(runs)
    return Row(
        "CLI: reconciler --version",
        f"median of {RUNS}",
        middle.seconds,
        peak_rss=middle.peak_rss,
        checks=[time_check(Op.AT_MOST, VERSION_TARGET, middle.seconds)],
    )


def _get(ctx: Context) -> Row:
    apps = 500 if ctx.quick else 5_000
    data = generate(ctx.work / "cli" / "manifests", apps=apps, services=False)
    nodes = nodes_for(data.pods)
    size = f"idle cluster of {data.pods:,} pods, median of {RUNS}"
    name = "CLI: get pods -l app=X (3 pods)"
    if not ctx.available("apply"):
        return Row(name, size, unavailable="no `reconciler apply` yet (to build the cluster)")
    home = ctx.home("cli")
    created = create_cluster(home, nodes=nodes)
    if not created.ok:
        return Row(name, size, unavailable=f"cluster create failed: {first_error(created)}")
    ctx.log(f"cli: building an idle cluster of {data.pods:,} pods on {nodes} nodes (not timed)")
    done = apply_and_converge(
        home,
        data.root,
        expected=data.pods,
        probe_app=data.apps[0],
        timeout=120 if ctx.quick else 300,
    )
    if not done.converged:
        return Row(name, size, unavailable=f"the cluster did not converge: {done.describe()}")
    app = data.apps[len(data.apps) // 2]
    command = [*reconciler_command(), "get", "pods", "-l", f"app={app}"]
    runs = [run(command, env=environment(home), timeout=120) for _ in range(RUNS)]
    middle = _median(runs)
    shown = sum(1 for line in middle.stdout.splitlines() if line.startswith(app))
    note = (
        ""
        if middle.ok and shown == data.replicas
        else (f"printed {shown} pods, expected {data.replicas}: {first_error(middle)}")
    )
    return Row(
        name,
        size,
        middle.seconds,
        peak_rss=middle.peak_rss,
        checks=[time_check(Op.AT_MOST, GET_TARGET, middle.seconds)],
        note=note,
    )
