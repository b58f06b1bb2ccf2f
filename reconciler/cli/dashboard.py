"""`reconciler dashboard`: serve the live web page of the cluster (and its read-only Kubernetes
API) until Ctrl-C; and `serving_dashboard`, which `reconciler watch DIR --dashboard` uses to
serve it beside the daemon.

Thin shells over web/serve.py: open the user's cluster, bind, print the link (with the token a
non-loopback address needs), optionally open a browser, serve.
"""

from __future__ import annotations

import webbrowser
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from reconciler.cli.context import cluster_from_cli
from reconciler.runtime.synclog import SyncLog
from reconciler.web.serve import DEFAULT_ADDRESS, DEFAULT_PORT, DashboardServer, ServeOptions

commands = typer.Typer()

PortOption = Annotated[
    int, typer.Option("--port", min=0, max=65535, help="The port to serve on (0: any free one).")
]


@commands.command("dashboard")
def dashboard(
    port: PortOption = DEFAULT_PORT,
    address: Annotated[
        str,
        typer.Option(
            "--address",
            help="The address to listen on; anything but a loopback address requires a token.",
        ),
    ] = DEFAULT_ADDRESS,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            help="The token every request must carry (generated and printed when the address "
            "is not a loopback one and none is given).",
        ),
    ] = None,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the page in a web browser.")
    ] = False,
) -> None:
    """Serve a live web page of the cluster: nodes and their pods, workloads, services and their
    endpoints, events, the GitOps daemon's status; with buttons to delete pods, stop nodes,
    scale and send requests. Also serves the read-only Kubernetes API (/api/v1/...).

    The page updates as the cluster changes; the cluster keeps moving while it is served.

    Example: reconciler dashboard --open
    """
    with cluster_from_cli() as cluster:
        server = DashboardServer(cluster, ServeOptions(address, port, token))
        typer.echo(f"Serving the dashboard on {server.link}")
        if server.token and not token:
            typer.echo("(a token is required on this address; the link above carries it)")
        typer.echo("Press Ctrl-C to stop.")
        if open_browser:
            webbrowser.open(server.link)
        server.run()


@contextmanager
def serving_dashboard(port: int, *, log: SyncLog) -> Iterator[DashboardServer]:
    """Serve the dashboard on 127.0.0.1 in a thread while the block runs; a daemon in this
    process advances the cluster, so the dashboard does not."""
    with cluster_from_cli() as cluster:
        server = DashboardServer(cluster, ServeOptions(DEFAULT_ADDRESS, port, advance=False))
        server.start()
        log.event("dashboard", f"dashboard on {server.link}", url=server.link)
        try:
            yield server
        finally:
            server.stop()
