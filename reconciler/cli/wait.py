"""`reconciler wait`: block until objects meet a condition or are gone, as `kubectl wait`.

`--for=condition=Ready` (optionally `=false`, any condition type, case-insensitive) or
`--for=delete`; objects named (`TYPE/NAME`, `TYPE NAME`) or chosen with `-l`/`--all`. The cluster
is advanced in real time while waiting (`follow.py`). Each object prints `pod/x condition met`
when it gets there; a timeout prints kubectl's error and exits 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer

from reconciler.api.apply import resource_name
from reconciler.cli.completion import complete_resources
from reconciler.cli.context import cluster_from_cli
from reconciler.cli.follow import follow
from reconciler.cli.options import AllNamespaces, LabelSelector, Namespace, scope_of
from reconciler.cli.resources import fetch, parse_targets
from reconciler.cli.waiting import parse_duration
from reconciler.errors import ReconcilerError, UsageError
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.kinds import kind_info

commands = typer.Typer()


@dataclass(frozen=True)
class Condition:
    """What `--for` asks: a condition type and the status it must have, or deletion."""

    type: str = ""
    status: str = "True"
    delete: bool = False

    def met(self, obj: Obj | None) -> bool:
        if self.delete:
            return obj is None
        if obj is None:
            return False
        for condition in (obj.get("status") or {}).get("conditions") or ():
            if str(condition.get("type", "")).lower() == self.type.lower():
                return str(condition.get("status", "")).lower() == self.status.lower()
        return False


def parse_condition(text: str) -> Condition:
    """`delete`, `condition=Ready`, `condition=Available=false`."""
    if text == "delete":
        return Condition(delete=True)
    kind, _, rest = text.partition("=")
    if kind != "condition" or not rest:
        raise UsageError(f"unrecognized condition: {text!r}")
    name, _, status = rest.partition("=")
    return Condition(type=name, status=status or "True")


@commands.command()
def wait(
    resources: Annotated[
        list[str],
        typer.Argument(
            help="TYPE/NAME…, TYPE NAME…, or TYPE with -l or --all.",
            autocompletion=complete_resources,
        ),
    ],
    for_: Annotated[
        str,
        typer.Option("--for", help="condition=NAME[=value] or delete, e.g. --for=condition=Ready."),
    ],
    timeout: Annotated[
        str, typer.Option("--timeout", help="How long to wait, e.g. 30s, 5m; 0 checks once.")
    ] = "30s",
    selector: LabelSelector = "",
    everything: Annotated[bool, typer.Option("--all", help="Every object of the type.")] = False,
    namespace: Namespace = "default",
    all_namespaces: AllNamespaces = False,
) -> None:
    """Wait until objects meet a condition or are deleted.

    Example: reconciler wait --for=condition=Ready pod -l app=kubia --timeout 60s
    """
    condition = parse_condition(for_)
    seconds = parse_duration(timeout)
    targets = parse_targets(resources, verb="wait")
    if not everything and not selector and any(not t.names for t in targets):
        raise UsageError("resource(s) were provided, but no name was specified")
    scope = scope_of(namespace, all_namespaces, selector)
    with cluster_from_cli() as cluster:
        found = fetch(cluster.api, targets, scope)
        if found.errors and not condition.delete:
            raise found.errors[0]
        waiting = [ObjectKey.of(obj) for obj in found.objects]
        if not waiting and not found.errors:
            raise UsageError("no matching resources found")
        for _ in follow(cluster, from_revision=cluster.store.revision(), timeout=seconds):
            for key in list(waiting):
                if condition.met(cluster.api.find(key)):
                    waiting.remove(key)
                    typer.echo(f"{resource_name(key)} condition met")
            if not waiting:
                return
    first = waiting[0]
    raise ReconcilerError(
        f"timed out waiting for the condition on {kind_info(first.kind).plural}/{first.name}"
    )
