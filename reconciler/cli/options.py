"""Options several commands share, declared once so they read the same everywhere.

Typer `Annotated` aliases for `-n/--namespace`, `-A/--all-namespaces`, `-l/--selector`,
`-o/--output`, `--all` and `--live`, with shell completion of namespaces; plus `scope_of`, which
turns them into a `resources.Scope`. No command logic here.
"""

from __future__ import annotations

from typing import Annotated

import typer

from reconciler.cli.completion import complete_namespaces
from reconciler.cli.resources import DEFAULT_NAMESPACE, Scope
from reconciler.model.selectors import parse

Namespace = Annotated[
    str,
    typer.Option(
        "--namespace",
        "-n",
        help="The namespace to work in.",
        autocompletion=complete_namespaces,
    ),
]
AllNamespaces = Annotated[
    bool,
    typer.Option("--all-namespaces", "-A", help="Across all namespaces (ignores --namespace)."),
]
LabelSelector = Annotated[
    str,
    typer.Option(
        "--selector", "-l", help="Label selector, e.g. -l app=kubia,tier!=db or -l 'env in (a,b)'."
    ),
]
Output = Annotated[
    str,
    typer.Option("--output", "-o", help="Output format: wide, yaml, json or name."),
]
Everything = Annotated[
    bool, typer.Option("--all", help="Every object of the type in the namespace.")
]
Live = Annotated[
    bool,
    typer.Option(
        "--live",
        help="Change only the cluster, not the manifest it came from (a GitOps daemon "
        "will report the difference as drift).",
    ),
]


def scope_of(namespace: str, all_namespaces: bool, selector: str = "") -> Scope:
    """The `Scope` the common options describe."""
    return Scope(
        namespace=namespace or DEFAULT_NAMESPACE,
        all_namespaces=all_namespaces,
        selector=parse(selector),
    )
