"""`reconciler cluster create|delete|node stop|start` and `reconciler cluster-info`: the simulated
cluster itself and its nodes.

Like `kind create cluster`, `create` refuses to replace a cluster that exists (`--force` does);
`delete` removes all its state. `node stop|start` are thin shells over cluster/node_failure.py
(simulated node failure). A cluster is also created with defaults the first time any
command opens it, so `create` is only needed to choose the node count or the timing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reconciler.cli.context import cluster_from_cli, store_path
from reconciler.cluster.node_failure import start_node, stop_node
from reconciler.cluster.nodes import is_ready
from reconciler.cluster.timing import (
    DEFAULT_NODES,
    MAX_NODES,
    ClusterSettings,
    TimingName,
    save_settings,
    settings_of,
)
from reconciler.errors import UsageError
from reconciler.store.open import open_store

commands = typer.Typer()  # the top-level `cluster-info`
cluster_app = typer.Typer(
    name="cluster",
    help="Create, delete or inspect the simulated cluster and its nodes.",
    no_args_is_help=True,
)


def _state_files(db: Path) -> list[Path]:
    """The store file and the files SQLite keeps beside it (-wal, -shm, -journal)."""
    if not db.parent.is_dir():
        return []
    return sorted(p for p in db.parent.iterdir() if p.name.startswith(db.name))


def _remove(db: Path) -> bool:
    files = _state_files(db)
    for path in files:
        path.unlink(missing_ok=True)
    return bool(files)


@cluster_app.command("create")
def create(
    nodes: Annotated[
        int,
        typer.Option(
            "--nodes", min=1, max=MAX_NODES, help="How many worker nodes (node-1 … node-N)."
        ),
    ] = DEFAULT_NODES,
    timing: Annotated[
        TimingName,
        typer.Option(
            "--timing",
            case_sensitive=False,
            help="How long simulated steps take: realistic (image pulls of seconds, "
            "ContainerCreating visible), fast (about a tenth), instant (scripts and CI).",
        ),
    ] = TimingName.REALISTIC,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the cluster if one exists (all its state).")
    ] = False,
) -> None:
    """Create the simulated cluster.

    Example: reconciler cluster create --nodes 3 --timing fast
    """
    db = store_path()
    if _state_files(db):
        if not force:
            raise UsageError(
                f"a cluster already exists in {db}; use --force to replace it "
                '(all its state is lost) or "reconciler cluster delete" first'
            )
        _remove(db)
    settings = ClusterSettings(nodes=nodes, timing=timing)
    store = open_store(db)
    with store.transaction():
        save_settings(store, settings)
    store.close()
    with cluster_from_cli() as cluster:
        names = [node["metadata"]["name"] for node in cluster.api.list("Node")]
    shown = ", ".join(names) if len(names) <= 5 else f"{names[0]} … {names[-1]}"
    typer.echo(f"Created cluster with {len(names)} nodes ({shown}), timing {timing.value}")
    typer.echo(f"State: {db}")


@cluster_app.command("delete")
def delete() -> None:
    """Delete the simulated cluster and all its state (objects, events, logs).

    Example: reconciler cluster delete
    """
    db = store_path()
    if _remove(db):
        typer.echo("Deleted cluster")
    else:
        typer.echo(f"No cluster to delete in {db.parent}")


@commands.command("cluster-info")
def cluster_info() -> None:
    """Say where the simulated cluster lives, its nodes and its timing.

    Example: reconciler cluster-info
    """
    with cluster_from_cli() as cluster:
        nodes = cluster.api.list("Node")
        settings = settings_of(cluster.store)
    ready = sum(1 for node in nodes if is_ready(node))
    typer.echo(f"Simulated control plane is running in {store_path()}")
    typer.echo(f"Nodes: {len(nodes)} ({ready} Ready), timing {settings.timing.value}")
    typer.echo("")
    typer.echo("To see the nodes, use 'reconciler get nodes -o wide'.")


node_app = typer.Typer(
    name="node",
    help="Stop or start a node's kubelet (simulated node failure).",
    no_args_is_help=True,
)


@node_app.command("stop")
def node_stop(name: Annotated[str, typer.Argument(help="The node, e.g. node-2.")]) -> None:
    """Stop a node's kubelet: it goes NotReady after the grace period and its pods are
    evicted after the toleration time.

    Example: reconciler cluster node stop node-2
    """
    with cluster_from_cli() as cluster:
        stop_node(cluster.api, name)
    typer.echo(f"node/{name} stopped")


@node_app.command("start")
def node_start(name: Annotated[str, typer.Argument(help="The node, e.g. node-2.")]) -> None:
    """Start a stopped node's kubelet again: it turns Ready and finishes its terminating pods.

    Example: reconciler cluster node start node-2
    """
    with cluster_from_cli() as cluster:
        start_node(cluster.api, name)
        cluster.advance()
    typer.echo(f"node/{name} started")


cluster_app.add_typer(node_app)
