"""Scenario 4, scale: Kubernetes' documented limits, 5,000 nodes and 150,000 pods.

A cluster of 5,000 nodes (`cluster create`, timed on its own) gets 1,000 ReplicationControllers
of 150 replicas (RCs only: services are the cold-apply scenario's business, and 1,000 of them
would only add endpoints work); from `apply -f DIR` to every pod Running: ≤ 60 s, peak RSS
≤ 4 GB. Scheduler throughput (≥ 5,000 pods/s) is measured apart, by timing the scheduler
controller alone in a fresh process (`python -m bench.probe scheduler`): with instant timing all
Scheduled events carry the same simulated instant, so they cannot time it.
"""

from __future__ import annotations

import json
import sys

from bench.context import Context, apply_and_converge, create_cluster, first_error
from bench.generate import generate
from bench.measure import environment, run
from bench.report import GB, Check, Op, Row, rss_check, time_check

TIME_TARGET = 60.0
RSS_TARGET = 4 * GB
SCHEDULER_TARGET = 5_000.0
REPLICAS = 150


def run_scenario(ctx: Context) -> list[Row]:
    nodes, apps, probe_pods = (500, 100, 5_000) if ctx.quick else (5_000, 1_000, 30_000)
    return [_cluster(ctx, nodes, apps), _scheduler(ctx, nodes, probe_pods)]


def _cluster(ctx: Context, nodes: int, apps: int) -> Row:
    data = generate(ctx.work / "scale" / "manifests", apps=apps, replicas=REPLICAS, services=False)
    size = f"{nodes:,} nodes, {data.pods:,} pods"
    name = "scale: apply to all pods Running"
    if not ctx.available("apply"):
        return Row(name, size, unavailable="no `reconciler apply` yet")
    home = ctx.home("scale")
    ctx.log(f"scale: cluster create --nodes {nodes}")
    created = create_cluster(home, nodes=nodes, timeout=600)
    if not created.ok:
        return Row(name, size, unavailable=f"cluster create failed: {first_error(created)}")
    ctx.log(f"scale: {data.documents:,} RCs × {REPLICAS} replicas")
    done = apply_and_converge(
        home,
        data.root,
        expected=data.pods,
        probe_app=data.apps[0],
        timeout=90 if ctx.quick else 360,
    )
    note = done.describe() or f"cluster create took {created.seconds:.1f} s more"
    return Row(
        name,
        size,
        done.seconds,
        f"{data.pods / done.seconds:,.0f} pods/s",
        max(done.peak_rss, created.peak_rss),
        [
            time_check(Op.AT_MOST, TIME_TARGET, done.seconds if done.converged else None),
            rss_check(RSS_TARGET, max(done.peak_rss, created.peak_rss)),
        ],
        note=note,
    )


def _scheduler(ctx: Context, nodes: int, pods: int) -> Row:
    home = ctx.home("scale-scheduler")
    size = f"{nodes:,} nodes, {pods:,} pending pods"
    name = "scale: scheduler alone (in-process)"
    ctx.log(f"scale: scheduler probe, {size}")
    result = run(
        [
            sys.executable,
            "-m",
            "bench.probe",
            "scheduler",
            "--home",
            str(home),
            "--nodes",
            str(nodes),
            "--pods",
            str(pods),
        ],
        env=environment(home),
        timeout=600,
    )
    if not result.ok:
        return Row(name, size, unavailable=f"probe failed: {first_error(result)}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    rate = figures["bound"] / figures["seconds"]
    return Row(
        name,
        size,
        figures["seconds"],
        f"{rate:,.0f} pods/s",
        result.peak_rss,
        [Check(Op.AT_LEAST, SCHEDULER_TARGET, rate, "pods/s")],
        note=f"one Scheduler.reconcile, cache fill included; {figures['bound']:,} bound",
    )
