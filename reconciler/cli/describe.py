"""`reconciler describe`: kubectl's detailed view of objects, ending with their events.

Thin: resolve the arguments, find the objects (an exact name, else every object whose name
starts with it, as kubectl does), print each description (`printers/describe`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from reconciler.api.server import Api
from reconciler.cli.completion import complete_resources
from reconciler.cli.context import cluster_from_cli
from reconciler.cli.options import AllNamespaces, LabelSelector, Namespace, scope_of
from reconciler.cli.printers.describe import describe as describe_object
from reconciler.cli.resources import Scope, Target, fetch, parse_targets
from reconciler.errors import NotFound
from reconciler.model.keys import ObjectKey

commands = typer.Typer()


@commands.command()
def describe(
    resources: Annotated[
        list[str],
        typer.Argument(help="TYPE [NAME_PREFIX…] or TYPE/NAME…", autocompletion=complete_resources),
    ],
    selector: LabelSelector = "",
    namespace: Namespace = "default",
    all_namespaces: AllNamespaces = False,
) -> None:
    """Show the details of objects, and their events, as `kubectl describe` does.

    Example: reconciler describe rc kubia
    """
    scope = scope_of(namespace, all_namespaces, selector)
    targets = parse_targets(resources, verb="describe")
    with cluster_from_cli() as cluster:
        keys: list[ObjectKey] = []
        for target in targets:
            keys += _matching(cluster.api, target, scope)
        if not keys:
            typer.echo(f"No resources found in {scope.namespace} namespace.", err=True)
            return
        now = cluster.api.clock.now()
        texts = [describe_object(cluster.api, key, now=now) for key in keys]
    typer.echo("\n\n".join(texts), nl=False)


def _matching(api: Api, target: Target, scope: Scope) -> list[ObjectKey]:
    """Exact names first; a name that matches nothing exactly is a prefix (kubectl's
    NAME_PREFIX), and one matching nothing at all is NotFound."""
    if not target.names:
        return [ObjectKey.of(obj) for obj in fetch(api, [target], scope).objects]
    keys = []
    for name in target.names:
        key = ObjectKey(target.info.kind, scope.namespace_of(target.info), name)
        if api.find(key) is not None:
            keys.append(key)
            continue
        namespace = scope.namespace_of(target.info) or None
        prefixed = [
            ObjectKey.of(obj)
            for obj in api.list(target.info.kind, namespace)
            if obj["metadata"]["name"].startswith(name)
        ]
        if not prefixed:
            raise NotFound(f'{target.info.plural} "{name}" not found')
        keys += prefixed
    return keys
