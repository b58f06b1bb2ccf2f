"""In-process micro-scenarios, each run by the bench in a fresh process of its own:

    python -m bench.probe scheduler --home DIR --nodes 5000 --pods 30000

`scheduler` times the scheduler controller alone: a SQLite cluster of N nodes (timing instant)
holds P pending kubia pods, 150 per ReplicationController-like owner as in the scale scenario;
one `Scheduler.reconcile` of its queue (its cache's first full read of nodes and pods included)
binds them, inside one store transaction and with the cyclic collector paused, as the manager
runs it. Only that call is timed; the
result is one JSON line on stdout. Pods are created straight through the api (no replication
controller runs), so nothing but the scheduler competes for the time.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from pathlib import Path
from time import perf_counter

from reconciler.clock import VirtualClock
from reconciler.cluster.scheduler import QUEUE, Scheduler
from reconciler.cluster.timing import ClusterSettings, TimingName, save_settings
from reconciler.runtime.session import open_cluster
from reconciler.store.sqlite import SqliteStore

PODS_PER_OWNER = 150


def _pod(index: int) -> dict[str, object]:
    owner = index // PODS_PER_OWNER
    app = f"kubia-{owner + 1:05d}"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{app}-{index:06d}",
            "namespace": "default",
            "labels": {"app": app},
            "ownerReferences": [
                {
                    "apiVersion": "v1",
                    "kind": "ReplicationController",
                    "name": app,
                    "uid": f"00000000-0000-4000-8000-{owner:012d}",
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "containers": [
                {
                    "name": "kubia",
                    "image": "luksa/kubia",
                    "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                }
            ]
        },
    }


def scheduler(home: Path, *, nodes: int, pods: int) -> dict[str, float]:
    """Set up the cluster and its pending pods, then time one scheduler reconcile."""
    setup = perf_counter()
    store = SqliteStore(home / "state.db")
    with store.transaction():
        save_settings(store, ClusterSettings(nodes=nodes, timing=TimingName.INSTANT))
    with open_cluster(store, clock=VirtualClock(1_000_000.0), seed=1) as cluster:
        with store.transaction():
            for index in range(pods):
                cluster.api.create(_pod(index))
        setup = perf_counter() - setup
        gc.disable()  # as the manager runs controllers (runtime/manager.py)
        started = perf_counter()
        with store.transaction():
            Scheduler(cluster.api).reconcile(QUEUE)
        seconds = perf_counter() - started
        gc.enable()
        bound = sum(1 for pod in cluster.api.list("Pod") if pod["spec"].get("nodeName"))
    return {"nodes": nodes, "pods": pods, "bound": bound, "seconds": seconds, "setup": setup}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.probe")
    parser.add_argument("probe", choices=["scheduler"])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--nodes", type=int, required=True)
    parser.add_argument("--pods", type=int, required=True)
    args = parser.parse_args(argv)
    result = scheduler(args.home, nodes=args.nodes, pods=args.pods)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
