"""`reconciler get`: list objects as `kubectl get` does, once or watching (`-w`).

Thin: resolve the arguments to targets (`resources.py`), read them through the api, print them
with the printers. Missing named objects print `Error from server (NotFound): …` after what was
found and exit 1, as kubectl does.
"""

from __future__ import annotations

import contextlib
from typing import Annotated

import typer

from reconciler.cli.completion import complete_resources
from reconciler.cli.context import cluster_from_cli
from reconciler.cli.follow import follow
from reconciler.cli.options import AllNamespaces, LabelSelector, Namespace, Output, scope_of
from reconciler.cli.printers.columns import sort_events
from reconciler.cli.printers.formats import Output as Format
from reconciler.cli.printers.formats import parse_output, render_objects
from reconciler.cli.printers.table import TableOptions, TableWriter
from reconciler.cli.resources import Found, Scope, Target, fetch, parse_targets, single_item
from reconciler.cli.waiting import parse_duration
from reconciler.errors import UsageError
from reconciler.model.keys import Obj, ObjectKey
from reconciler.runtime.session import Cluster
from reconciler.store.base import EventType

commands = typer.Typer()


def no_resources(scope: Scope, targets: list[Target]) -> str:
    """kubectl's message when nothing matched (printed on stderr)."""
    if not scope.all_namespaces and all(t.info.namespaced for t in targets):
        return f"No resources found in {scope.namespace} namespace."
    return "No resources found"


def print_found(
    found: Found, fmt: Format, *, writer: TableWriter, now: float, single: bool
) -> bool:
    """Print what was found; False when nothing was printed."""
    if fmt not in (Format.TABLE, Format.WIDE):
        text = render_objects(found.objects, fmt, single=single)
        typer.echo(text, nl=False)
        return bool(found.objects) or fmt is not Format.NAME
    printed = False
    for info, objs in found.groups:
        if objs:
            shown = sort_events(objs) if info.kind == "Event" else objs
            typer.echo(writer.rows(info, shown, now=now), nl=False)
            printed = True
    return printed


def _watch(
    cluster: Cluster,
    target: Target,
    *,
    scope: Scope,
    fmt: Format,
    writer: TableWriter,
    revision: int,
    timeout: float | None,
) -> None:
    """Print a row (or document) per change to a watched object until interrupted."""
    for batch in follow(cluster, from_revision=revision, timeout=timeout):
        for event in batch:
            obj, key = event.object, event.key
            if key.kind != target.info.kind or not _in_scope(key, obj, target, scope):
                continue
            if event.type is EventType.DELETED and fmt not in (Format.TABLE, Format.WIDE):
                continue
            if fmt in (Format.TABLE, Format.WIDE):
                now = cluster.api.clock.now()
                typer.echo(writer.rows(target.info, [obj], now=now), nl=False)
            elif fmt is Format.YAML:
                typer.echo("---\n" + render_objects([obj], fmt, single=True), nl=False)
            else:
                typer.echo(render_objects([obj], fmt, single=True), nl=False)


def _in_scope(key: ObjectKey, obj: Obj, target: Target, scope: Scope) -> bool:
    if target.names and key.name not in target.names:
        return False
    if target.info.namespaced and not scope.all_namespaces and key.namespace != scope.namespace:
        return False
    return scope.selector.matches((obj.get("metadata") or {}).get("labels"))


@commands.command()
def get(
    resources: Annotated[
        list[str] | None,
        typer.Argument(
            help="TYPE[,TYPE…] [NAME…] or TYPE/NAME…; TYPE as kubectl spells it (pods, po, "
            "rc, svc, all…).",
            autocompletion=complete_resources,
            show_default=False,
        ),
    ] = None,
    output: Output = "",
    selector: LabelSelector = "",
    namespace: Namespace = "default",
    all_namespaces: AllNamespaces = False,
    show_labels: Annotated[
        bool, typer.Option("--show-labels", help="Add a LABELS column.")
    ] = False,
    watch: Annotated[
        bool,
        typer.Option("--watch", "-w", help="After listing, print changes until interrupted."),
    ] = False,
    request_timeout: Annotated[
        str,
        typer.Option(
            "--request-timeout", help="Stop watching after this long (e.g. 30s); 0 = never."
        ),
    ] = "0",
) -> None:
    """List objects as `kubectl get` does.

    Example: reconciler get pods -o wide
    """
    args = resources or []
    targets = parse_targets(args)
    scope = scope_of(namespace, all_namespaces, selector)
    fmt = parse_output(output)
    options = TableOptions(
        wide=fmt is Format.WIDE,
        all_namespaces=all_namespaces,
        show_labels=show_labels,
        with_kind=len({target.info.kind for target in targets}) > 1,
    )
    if watch and len({target.info.kind for target in targets}) > 1:
        raise UsageError(
            "watch is only supported on individual resources and resource collections, but "
            f"{len(targets)} resources were found"
        )
    # Ctrl-C is how a watch ends: a clean exit wherever it lands, as with kubectl.
    interrupt = contextlib.suppress(KeyboardInterrupt) if watch else contextlib.nullcontext()
    found = Found()
    with interrupt, cluster_from_cli() as cluster:
        revision = cluster.store.revision()
        found = fetch(cluster.api, targets, scope)
        now = cluster.api.clock.now()
        writer = TableWriter(options, remember_widths=watch)
        printed = print_found(found, fmt, writer=writer, now=now, single=single_item(args))
        for error in found.errors:
            typer.echo(str(error), err=True)
        if not printed and not found.errors and not watch:
            typer.echo(no_resources(scope, targets), err=True)
        if watch:
            timeout = parse_duration(request_timeout) or None
            _watch(
                cluster,
                targets[0],
                scope=scope,
                fmt=fmt,
                writer=writer,
                revision=revision,
                timeout=timeout,
            )
    if found.errors:
        raise typer.Exit(1)
