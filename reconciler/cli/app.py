"""The `reconciler` command: the typer app that every command module registers on.

Each command lives in a module of its own (one per group) and is a thin shell: parse options,
call one library function, print through `cli/printers`. Errors a user can cause arrive here as
`ReconcilerError` and leave as one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from reconciler import __version__
from reconciler.cli import (
    apply,
    dashboard,
    delete,
    describe,
    events,
    generate,
    get,
    gitops,
    labels,
    scale,
    wait,
)
from reconciler.cli.cluster import cluster_app, cluster_info
from reconciler.cli.network import curl, logs, node_app
from reconciler.cli.rollout import rollout_app
from reconciler.cli.set_image import set_app
from reconciler.cli.validate import commands as validate_commands
from reconciler.errors import ReconcilerError

app = typer.Typer(
    name="reconciler",
    help="Run Kubernetes the declarative way without a cluster: a folder of YAML manifests "
    "converges a simulated cluster.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"reconciler {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", callback=_print_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Run Kubernetes the declarative way without a cluster.

    Example: reconciler validate manifests/
    """


app.add_typer(cluster_app)
app.command("cluster-info")(cluster_info)
cluster_app.add_typer(node_app)
app.command("curl")(curl)
app.command("logs")(logs)
app.add_typer(get.commands)
app.add_typer(describe.commands)
app.add_typer(events.commands)
app.add_typer(delete.commands)
app.add_typer(labels.commands)
app.add_typer(wait.commands)
app.add_typer(scale.commands)
app.add_typer(rollout_app)
app.add_typer(set_app)
app.add_typer(generate.commands)
app.add_typer(validate_commands)
app.add_typer(apply.commands)
app.add_typer(gitops.commands)
app.add_typer(dashboard.commands)


def main() -> None:
    """Console-script entry point: typer reports usage mistakes itself; our errors become one
    clear line and their exit code."""
    try:
        app()
    except ReconcilerError as error:
        message = str(error)
        typer.echo(message if message.startswith("Error") else f"error: {message}", err=True)
        sys.exit(error.exit_code)
