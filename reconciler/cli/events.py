"""`reconciler events`: what happened in the cluster, oldest first, as `kubectl events` shows it.

Thin: list Events (in a namespace or all, optionally only those about one object with
`--for TYPE/NAME`, or of some `--types`), print kubectl events' table or `-o yaml|json`;
`-w` keeps printing new ones. `get events` shows the same objects with `get`'s columns.
"""

from __future__ import annotations

import contextlib
from typing import Annotated

import typer

from reconciler.cli.context import cluster_from_cli
from reconciler.cli.follow import follow
from reconciler.cli.options import AllNamespaces, Namespace, Output
from reconciler.cli.printers.columns import sort_events
from reconciler.cli.printers.events import events_table
from reconciler.cli.printers.formats import Output as Format
from reconciler.cli.printers.formats import parse_output, render_objects
from reconciler.cli.printers.tabwriter import TabWriter
from reconciler.cli.resources import resolve_types
from reconciler.cli.waiting import parse_duration
from reconciler.errors import UsageError
from reconciler.model.keys import Obj
from reconciler.store.base import EventType

commands = typer.Typer()

EVENT_TYPES = ("Normal", "Warning")


def _about(for_object: str) -> tuple[str, str] | None:
    if not for_object:
        return None
    kind, slash, name = for_object.partition("/")
    if not slash:
        raise UsageError("--for must be in resource/name form")
    if "/" in name:
        raise UsageError("arguments in resource/name form may not have more than one slash")
    return resolve_types(kind)[0].kind, name


def _wanted(event: Obj, about: tuple[str, str] | None, types: set[str]) -> bool:
    involved = event.get("involvedObject") or {}
    if about is not None and (involved.get("kind"), involved.get("name")) != about:
        return False
    return not types or str(event.get("type", "")).lower() in types


@commands.command()
def events(
    namespace: Namespace = "default",
    all_namespaces: AllNamespaces = False,
    for_object: Annotated[
        str,
        typer.Option("--for", help="Only events about this object, e.g. --for pod/kubia-x7tq2."),
    ] = "",
    types: Annotated[
        str, typer.Option("--types", help="Only events of these types: Normal, Warning.")
    ] = "",
    output: Output = "",
    watch: Annotated[
        bool, typer.Option("--watch", "-w", help="After listing, print new events as they come.")
    ] = False,
    request_timeout: Annotated[
        str, typer.Option("--request-timeout", help="Stop watching after this long; 0 = never.")
    ] = "0",
) -> None:
    """List events, oldest first, as `kubectl events` does.

    Example: reconciler events --for rc/kubia
    """
    about = _about(for_object)
    wanted_types = {t.strip().lower() for t in types.split(",") if t.strip()}
    if wanted_types - {t.lower() for t in EVENT_TYPES}:
        raise UsageError("valid --types are Normal or Warning")
    fmt = parse_output(output)
    if fmt in (Format.WIDE, Format.NAME):
        raise UsageError(f"--output {fmt} is not supported by events; use yaml or json")
    scope = None if all_namespaces else namespace
    # Ctrl-C is how a watch ends: a clean exit wherever it lands, as with kubectl.
    interrupt = contextlib.suppress(KeyboardInterrupt) if watch else contextlib.nullcontext()
    with interrupt, cluster_from_cli() as cluster:
        revision = cluster.store.revision()
        found = [e for e in cluster.api.list("Event", scope) if _wanted(e, about, wanted_types)]
        now = cluster.api.clock.now()
        writer = TabWriter(remember_widths=watch)
        if fmt is Format.TABLE:
            if found:
                text = events_table(found, now=now, all_namespaces=all_namespaces, writer=writer)
                typer.echo(text, nl=False)
            elif not watch:
                where = "" if all_namespaces else f" in {namespace} namespace"
                typer.echo(f"No events found{where}.", err=True)
        else:
            typer.echo(render_objects(sort_events(found), fmt, single=False), nl=False)
        if not watch:
            return
        header = not found
        timeout = parse_duration(request_timeout) or None
        for batch in follow(cluster, from_revision=revision, timeout=timeout):
            fresh = [
                change.object
                for change in batch
                if change.key.kind == "Event"
                and change.type is not EventType.DELETED
                and (all_namespaces or change.key.namespace == namespace)
                and _wanted(change.object, about, wanted_types)
            ]
            if not fresh:
                continue
            if fmt is not Format.TABLE:
                typer.echo(render_objects(fresh, fmt, single=False), nl=False)
                continue
            now = cluster.api.clock.now()
            text = events_table(
                fresh, now=now, all_namespaces=all_namespaces, header=header, writer=writer
            )
            typer.echo(text, nl=False)
            header = False
