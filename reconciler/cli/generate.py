"""`reconciler run` and `reconciler expose`: kubectl's generators, keeping the folder the truth.

Thin: build the object (`api/generate.py`), create it, or with `--save DIR` write its manifest
into the folder and apply it from there; print kubectl's line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reconciler.api.generate import (
    Generator,
    ServiceType,
    create_or_save,
    parse_labels,
    run_object,
    service_for,
)
from reconciler.cli.completion import complete_resources
from reconciler.cli.context import cluster_from_cli
from reconciler.cli.options import Namespace
from reconciler.cli.resources import parse_targets
from reconciler.errors import UsageError
from reconciler.model.keys import ObjectKey

commands = typer.Typer()

Save = Annotated[
    Path | None,
    typer.Option(
        "--save",
        help="Also write the manifest into this folder (NAME-<kind>.yaml) and apply it from "
        "there, so the folder declares it.",
        file_okay=False,
    ),
]


@commands.command()
def run(
    name: Annotated[str, typer.Argument(help="Name of the pod (or replication controller).")],
    image: Annotated[str, typer.Option("--image", help="The container image to run.")],
    port: Annotated[
        int | None, typer.Option("--port", help="The port the container exposes.")
    ] = None,
    replicas: Annotated[
        int, typer.Option("--replicas", help="Replicas (with --generator run/v1).")
    ] = 1,
    generator: Annotated[
        str,
        typer.Option(
            "--generator",
            help="run-pod/v1 (a pod, the default) or run/v1 (a ReplicationController, as in "
            "kubectl 1.x and the book).",
        ),
    ] = Generator.POD.value,
    labels: Annotated[
        str, typer.Option("--labels", "-l", help="Labels instead of run=NAME, e.g. app=kubia.")
    ] = "",
    save: Save = None,
    namespace: Namespace = "default",
) -> None:
    """Run an image in a pod, or with --generator run/v1 in a ReplicationController.

    Example: reconciler run kubia --image luksa/kubia --port 8080 --generator run/v1
    """
    try:
        chosen = Generator(generator)
    except ValueError:
        raise UsageError(f'generator "{generator}" not found') from None
    obj = run_object(
        name,
        image,
        generator=chosen,
        port=port,
        replicas=replicas,
        labels=parse_labels(labels) if labels else None,
    )
    with cluster_from_cli() as cluster:
        created = create_or_save(cluster.api, obj, namespace=namespace, save=save)
        cluster.advance()
    if chosen is Generator.REPLICATION_CONTROLLER:
        typer.echo(f'replicationcontroller "{name}" created')
    else:
        typer.echo(f"pod/{name} created")
    if created.manifest is not None:
        typer.echo(f"(manifest saved to {created.manifest})", err=True)


@commands.command()
def expose(
    resources: Annotated[
        list[str],
        typer.Argument(
            help="rc|rs|deploy|pod NAME, or TYPE/NAME.", autocompletion=complete_resources
        ),
    ],
    service_type: Annotated[
        ServiceType, typer.Option("--type", help="ClusterIP, NodePort or LoadBalancer.")
    ] = ServiceType.CLUSTER_IP,
    name: Annotated[
        str, typer.Option("--name", help="The service's name (default: the object's).")
    ] = "",
    port: Annotated[
        int | None,
        typer.Option("--port", help="The service port (default: the container's port)."),
    ] = None,
    target_port: Annotated[
        str,
        typer.Option("--target-port", help="The container port (number or name) to send to."),
    ] = "",
    save: Save = None,
    namespace: Namespace = "default",
) -> None:
    """Create a service for a pod, ReplicationController, ReplicaSet or Deployment.

    Example: reconciler expose rc kubia --type LoadBalancer --name kubia-http
    """
    targets = parse_targets(resources, verb="expose")
    if len(targets) != 1 or len(targets[0].names) != 1:
        raise UsageError("expose takes one object: TYPE NAME or TYPE/NAME")
    info, object_name = targets[0].info, targets[0].names[0]
    with cluster_from_cli() as cluster:
        workload = cluster.api.get(ObjectKey(info.kind, namespace, object_name))
        service = service_for(
            workload,
            name=name or None,
            port=port,
            target_port=target_port or None,
            service_type=service_type,
        )
        created = create_or_save(cluster.api, service, namespace=namespace, save=save)
        cluster.advance()
    typer.echo(f"service/{created.obj['metadata']['name']} exposed")
    if created.manifest is not None:
        typer.echo(f"(manifest saved to {created.manifest})", err=True)
