"""`reconciler curl` and `reconciler logs`: talking to the simulated pods.

Thin shells over cluster/network.py (`request`) and cluster/logs.py (`logs_of`). `curl` prints
one answer per request, like running curl that many times (`--count/-c`, since `-n` is the
namespace as in kubectl).
"""

from __future__ import annotations

from typing import Annotated

import typer

from reconciler.cli.context import cluster_from_cli
from reconciler.cluster.logs import logs_of
from reconciler.cluster.network import CLIENT_IP, request
from reconciler.model.keys import ObjectKey

commands = typer.Typer()

NamespaceOption = Annotated[
    str, typer.Option("--namespace", "-n", help="The namespace to work in.")
]


@commands.command()
def curl(
    target: Annotated[
        str,
        typer.Argument(
            help="svc/NAME[:PORT], or [http://]IP[:PORT] of a service (cluster or external "
            "IP), a node (with a node port) or a pod."
        ),
    ],
    count: Annotated[
        int, typer.Option("--count", "-c", min=1, help="How many requests to send.")
    ] = 1,
    namespace: NamespaceOption = "default",
    client_ip: Annotated[
        str, typer.Option("--client-ip", help="The address the requests come from.")
    ] = CLIENT_IP,
) -> None:
    """Send HTTP requests into the simulated cluster and print the answers.

    Example: reconciler curl svc/kubia -c 5
    """
    with cluster_from_cli() as cluster:
        replies = request(
            cluster.api, target, count=count, client_ip=client_ip, namespace=namespace
        )
    failed = 0
    for reply in replies:
        if reply.status is None:
            typer.echo(reply.body, err=True)
            failed = reply.exit_code
            continue
        typer.echo(reply.body if reply.body.endswith("\n") else reply.body + "\n", nl=False)
    if failed:
        raise typer.Exit(failed)


@commands.command()
def logs(
    pod: Annotated[str, typer.Argument(help="The pod's name (or pod/NAME).")],
    container: Annotated[
        str | None, typer.Option("--container", "-c", help="The container, when several.")
    ] = None,
    tail: Annotated[int, typer.Option("--tail", help="Only the last N lines (-1: all).")] = -1,
    previous: Annotated[
        bool,
        typer.Option("--previous", "-p", help="The previous, terminated instance's logs."),
    ] = False,
    namespace: NamespaceOption = "default",
) -> None:
    """Print the logs of a container in a pod.

    Example: reconciler logs kubia-x7tq2 --tail 10
    """
    name = pod.removeprefix("pod/").removeprefix("pods/").removeprefix("po/")
    with cluster_from_cli() as cluster:
        lines = logs_of(
            cluster.api,
            ObjectKey("Pod", namespace, name),
            container=container,
            tail=None if tail < 0 else tail,
            previous=previous,
        )
    for line in lines:
        typer.echo(line)
