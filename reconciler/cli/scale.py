"""`reconciler scale`: state a new replica count; the manifest the object came from is edited
and applied (`api/scale.py`), or with `--live` only the cluster changes. Thin."""

from __future__ import annotations

from typing import Annotated

import typer

from reconciler.api.scale import scale as scale_object
from reconciler.cli.completion import complete_resources
from reconciler.cli.context import cluster_from_cli
from reconciler.cli.options import Live, Namespace
from reconciler.cli.resources import parse_targets
from reconciler.errors import UsageError
from reconciler.model.keys import ObjectKey

commands = typer.Typer()


@commands.command()
def scale(
    resources: Annotated[
        list[str],
        typer.Argument(help="rc|rs|deploy NAME, or TYPE/NAME.", autocompletion=complete_resources),
    ],
    replicas: Annotated[
        int, typer.Option("--replicas", help="The new desired number of replicas.")
    ],
    live: Live = False,
    namespace: Namespace = "default",
) -> None:
    """Set the desired number of replicas, in the object's manifest file when it has one.

    Example: reconciler scale rc kubia --replicas 3
    """
    targets = parse_targets(resources, verb="scale")
    if not all(target.names for target in targets):
        raise UsageError("resource(s) were provided, but no name was specified")
    with cluster_from_cli() as cluster:
        for target in targets:
            for name in target.names:
                key = ObjectKey(target.info.kind, namespace, name)
                done = scale_object(cluster.api, key, replicas=replicas, live=live)
                cluster.advance()
                typer.echo(f"{target.info.resource}/{name} scaled")
                if done.manifest is not None:
                    typer.echo(f"(replicas: {replicas} written to {done.manifest})", err=True)
