"""`reconciler label` and `reconciler annotate`: edit labels or annotations as kubectl does.

Thin: split the arguments into objects and `key=value` / `key-` edits, find the objects, edit
each through `api/labeling.py`, print kubectl's line (`pod/kubia-x labeled`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from reconciler.api.labeling import Field, edit, parse_edits
from reconciler.cli.completion import complete_resources
from reconciler.cli.context import cluster_from_cli
from reconciler.cli.options import AllNamespaces, Everything, LabelSelector, Namespace, scope_of
from reconciler.cli.printers.formats import name_of
from reconciler.cli.resources import fetch, parse_targets, require_names
from reconciler.errors import UsageError
from reconciler.model.keys import ObjectKey

commands = typer.Typer()

Arguments = Annotated[
    list[str],
    typer.Argument(
        help="TYPE NAME… or TYPE/NAME…, then KEY=VALUE… to set and KEY-… to remove.",
        autocompletion=complete_resources,
    ),
]
Overwrite = Annotated[
    bool, typer.Option("--overwrite", help="Allow replacing a value that is already set.")
]


def _split(args: list[str]) -> tuple[list[str], list[str]]:
    """kubectl's GetResourcesAndPairs: edits are the arguments with `=` or a trailing `-`."""
    resources = [a for a in args if "=" not in a and not a.endswith("-")]
    pairs = [a for a in args if "=" in a or a.endswith("-")]
    return resources, pairs


def _edit_command(target: Field, *, name: str, help_text: str) -> None:
    """Register `name`: label and annotate are one command over two fields of the metadata."""

    @commands.command(name, help=help_text)
    def command(
        args: Arguments,
        overwrite: Overwrite = False,
        everything: Everything = False,
        selector: LabelSelector = "",
        namespace: Namespace = "default",
        all_namespaces: AllNamespaces = False,
    ) -> None:
        resources, pairs = _split(args)
        edits = parse_edits(target, pairs)
        if not resources:
            raise UsageError(
                "one or more resources must be specified as <resource> <name> or <resource>/<name>"
            )
        if everything and selector:
            raise UsageError("cannot set --all and --selector at the same time")
        targets = parse_targets(resources, verb=target.noun)
        require_names(targets, everything=everything, selector=selector)
        scope = scope_of(namespace, all_namespaces, selector)
        with cluster_from_cli() as cluster:
            found = fetch(cluster.api, targets, scope)
            for obj in found.objects:
                result = edit(cluster.api, ObjectKey.of(obj), edits=edits, overwrite=overwrite)
                for key in result.missing:
                    typer.echo(f'{target.noun} "{key}" not found.')
                typer.echo(f"{name_of(obj)} {result.verb}")
        for error in found.errors:
            typer.echo(str(error), err=True)
        if found.errors:
            raise typer.Exit(1)


_edit_command(
    Field.LABELS,
    name="label",
    help_text="Set or remove labels, as `kubectl label` does.\n\n"
    "Example: reconciler label pod kubia-x7tq2 env=debug --overwrite",
)
_edit_command(
    Field.ANNOTATIONS,
    name="annotate",
    help_text="Set or remove annotations, as `kubectl annotate` does.\n\n"
    'Example: reconciler annotate pod kubia-x7tq2 mycompany.com/someannotation="foo bar"',
)
