"""The `reconciler` command: the typer app that every command module registers on.

Each command lives in a module of its own (one per group) and is a thin shell: parse options,
call one library function, print through `cli/printers`. Errors a user can cause arrive here as
`ReconcilerError` and leave as one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import gc
import importlib
import sys
from difflib import get_close_matches
from typing import Annotated

import typer
import typer.main
from typer import _click  # typer's own copy of click, the types of its group API
from typer.core import TyperGroup

from reconciler import __version__
from reconciler.cli import exiting
from reconciler.errors import ReconcilerError

COMMANDS: dict[str, tuple[str, str]] = {
    "cluster": ("reconciler.cli.cluster", "cluster_app"),
    "cluster-info": ("reconciler.cli.cluster", "commands"),
    "curl": ("reconciler.cli.network", "commands"),
    "logs": ("reconciler.cli.network", "commands"),
    "get": ("reconciler.cli.get", "commands"),
    "describe": ("reconciler.cli.describe", "commands"),
    "events": ("reconciler.cli.events", "commands"),
    "delete": ("reconciler.cli.delete", "commands"),
    "label": ("reconciler.cli.labels", "commands"),
    "annotate": ("reconciler.cli.labels", "commands"),
    "wait": ("reconciler.cli.wait", "commands"),
    "scale": ("reconciler.cli.scale", "commands"),
    "rollout": ("reconciler.cli.rollout", "rollout_app"),
    "set": ("reconciler.cli.set_image", "set_app"),
    "run": ("reconciler.cli.generate", "commands"),
    "expose": ("reconciler.cli.generate", "commands"),
    "validate": ("reconciler.cli.validate", "commands"),
    "apply": ("reconciler.cli.apply", "commands"),
    "diff": ("reconciler.cli.apply", "commands"),
    "watch": ("reconciler.cli.gitops", "commands"),
    "status": ("reconciler.cli.gitops", "commands"),
    "dashboard": ("reconciler.cli.dashboard", "commands"),
}
"""Every command → (module, its typer app): the command's module is imported only when that
command runs (or help lists it), so `reconciler --version` or `validate` does not pay for the
cluster, the web server or rich progress tables (importing them all took ~300 ms)."""


class LazyCommands(TyperGroup):
    """The root group, resolving commands through COMMANDS on demand."""

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute = COMMANDS[cmd_name]
        commands: typer.Typer = getattr(importlib.import_module(module), attribute)
        group = typer.main.get_group(commands)
        # A named app (`cluster`, `rollout`, `set`) is the command; an unnamed one lends its own.
        return group if commands.info.name else group.commands.get(cmd_name)

    def resolve_command(
        self, ctx: _click.Context, args: list[str]
    ) -> tuple[str | None, _click.Command | None, list[str]]:
        """Typer's own "Did you mean" looks among loaded commands only; look in COMMANDS."""
        try:
            return super().resolve_command(ctx, args)
        except _click.exceptions.UsageError as error:
            matches = get_close_matches(args[0], COMMANDS) if args else []
            if matches:
                suggestions = ", ".join(repr(match) for match in matches)
                error.message = f"{error.message.rstrip('.')}. Did you mean {suggestions}?"
            raise


app = typer.Typer(
    name="reconciler",
    cls=LazyCommands,
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


def main() -> None:
    """Console-script entry point: typer reports usage mistakes itself; our errors become one
    clear line and their exit code. A command that opened the cluster ends the process without
    freeing it (cli/exiting.py)."""
    exiting.keep_until_exit()
    try:
        _run()
    except SystemExit as ending:
        if exiting.anything_kept():
            exiting.exit_at_once(ending.code)
        raise
    finally:
        # The process ends here. Frozen objects are left out of the collection the interpreter
        # runs while tearing its modules down, which otherwise frees every class and function
        # of typer and the libraries it imports one cycle at a time (24 ms of a 190 ms
        # `validate` when typer still brought pydantic). Nothing relies on it: Python never
        # promised finalizers for objects alive at exit.
        gc.freeze()


def _run() -> None:
    try:
        app()
    except ReconcilerError as error:
        message = str(error)
        typer.echo(message if message.startswith("Error") else f"error: {message}", err=True)
        sys.exit(error.exit_code)
