"""`reconciler delete`: delete objects as `kubectl delete` does, owned pods cascading.

Thin: find the objects (`-f PATH`, `TYPE NAME…`, `TYPE/NAME…`, `TYPE -l SELECTOR`, `TYPE --all`;
files are read and validated as `apply` reads them), delete
each through the api with the chosen propagation (`--cascade=orphan` keeps the pods), print
`replicationcontroller "kubia" deleted`, then - like kubectl's default `--wait` - keep the
cluster moving until the objects are really gone (a pod finishes terminating first).
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from reconciler.api.server import Propagation
from reconciler.cli.apply import load
from reconciler.cli.completion import complete_resources
from reconciler.cli.context import cluster_from_cli
from reconciler.cli.follow import follow
from reconciler.cli.options import AllNamespaces, Everything, LabelSelector, Namespace, scope_of
from reconciler.cli.resources import fetch, parse_targets, require_names
from reconciler.cli.waiting import parse_duration
from reconciler.errors import NotFound, ReconcilerError, UsageError
from reconciler.model.keys import ObjectKey
from reconciler.model.kinds import kind_info
from reconciler.runtime.session import Cluster

commands = typer.Typer()

CASCADES = {
    "background": Propagation.BACKGROUND,
    "true": Propagation.BACKGROUND,
    "foreground": Propagation.BACKGROUND,
    "orphan": Propagation.ORPHAN,
    "false": Propagation.ORPHAN,
}


def propagation_of(cascade: str) -> Propagation:
    """kubectl's `--cascade` values (foreground deletes dependents too; here it is background,
    as the simulation deletes dependents at once)."""
    try:
        return CASCADES[cascade.lower()]
    except KeyError:
        raise UsageError(
            f'invalid cascade value ({cascade}). Must be "background", "foreground", or "orphan".'
        ) from None


@commands.command()
def delete(
    resources: Annotated[
        list[str] | None,
        typer.Argument(
            help="TYPE NAME…, TYPE/NAME…, or TYPE with -l or --all.",
            autocompletion=complete_resources,
            show_default=False,
        ),
    ] = None,
    filenames: Annotated[
        list[str] | None,
        typer.Option(
            "--filename",
            "-f",
            help="Delete what these manifest files or folders declare; repeatable.",
            show_default=False,
        ),
    ] = None,
    selector: LabelSelector = "",
    everything: Everything = False,
    cascade: Annotated[
        str,
        typer.Option(
            "--cascade", help="background (delete owned objects too), orphan (keep them)."
        ),
    ] = "background",
    grace_period: Annotated[
        int,
        typer.Option(
            "--grace-period", help="Seconds a pod gets to stop; -1 uses the pod's own, 0 at once."
        ),
    ] = -1,
    now: Annotated[bool, typer.Option("--now", help="Same as --grace-period=1.")] = False,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Wait until the objects are gone.")
    ] = True,
    timeout: Annotated[
        str, typer.Option("--timeout", help="Give up waiting after this long; 0 = never.")
    ] = "0",
    ignore_not_found: Annotated[
        bool, typer.Option("--ignore-not-found", help="Say nothing about objects that are gone.")
    ] = False,
    namespace: Namespace = "default",
    all_namespaces: AllNamespaces = False,
) -> None:
    """Delete objects; the pods a controller owns go with it unless --cascade=orphan.

    Example: reconciler delete rc kubia --cascade=orphan
    """
    args = resources or []
    propagation = propagation_of(cascade)
    grace = 1 if now else (None if grace_period < 0 else grace_period)
    if filenames:
        if args:
            raise UsageError(
                "there is no need to specify a resource type as a separate argument "
                "when passing arguments with -f"
            )
        _delete_files(
            filenames,
            namespace=namespace,
            propagation=propagation,
            grace=grace,
            wait=wait,
            timeout=parse_duration(timeout) or None,
            ignore_not_found=ignore_not_found,
        )
        return
    if not args:
        raise UsageError(
            "You must provide one or more resources by argument or filename. Example resource "
            "specifications include: '-f rsrc.yaml' or '--filename=rsrc.json' or "
            "'<resource> <name>' or '<resource>'"
        )
    targets = parse_targets(args, verb="delete")
    require_names(targets, everything=everything, selector=selector)
    scope = scope_of(namespace, all_namespaces, selector)
    with cluster_from_cli() as cluster:
        found = fetch(cluster.api, targets, scope)
        deleted: list[ObjectKey] = []
        for obj in found.objects:
            key = ObjectKey.of(obj)
            cluster.api.delete(key, propagation=propagation, grace_period=grace)
            typer.echo(f'{kind_info(key.kind).resource} "{key.name}" deleted')
            deleted.append(key)
        if not found.objects and not found.errors:
            where = "" if all_namespaces else f" in {scope.namespace} namespace"
            typer.echo(f"No resources found{where}", err=True)
        for error in found.errors:
            if not ignore_not_found:
                typer.echo(str(error), err=True)
        if wait and deleted:
            _wait_gone(cluster, deleted, parse_duration(timeout) or None)
    if found.errors and not ignore_not_found:
        raise typer.Exit(1)


def _delete_files(
    paths: list[str],
    *,
    namespace: str,
    propagation: Propagation,
    grace: int | None,
    wait: bool,
    timeout: float | None,
    ignore_not_found: bool,
) -> None:
    """`delete -f`: what the files declare, in reverse order (workloads before the namespaces
    and services they need), missing objects reported as kubectl reports them."""
    loaded = load(paths)
    for diagnostic in loaded.report.diagnostics:
        if diagnostic.is_error:
            typer.echo(str(diagnostic), err=True)
    failed = loaded.broken
    with cluster_from_cli() as cluster:
        deleted: list[ObjectKey] = []
        for manifest in reversed(loaded.manifests):
            info = kind_info(str(manifest.obj.get("kind", "")))
            meta = manifest.obj.get("metadata") or {}
            where = meta.get("namespace") or namespace if info.namespaced else ""
            key = ObjectKey(info.kind, where, meta.get("name", ""))
            try:
                cluster.api.delete(key, propagation=propagation, grace_period=grace)
            except NotFound as error:
                if not ignore_not_found:
                    typer.echo(
                        f"Error from server (NotFound): error when deleting "
                        f'"{_shown(manifest.path)}": {error.args[0]}',
                        err=True,
                    )
                    failed = True
                continue
            typer.echo(f'{info.resource} "{key.name}" deleted')
            deleted.append(key)
        if wait and deleted:
            _wait_gone(cluster, deleted, timeout)
    if failed:
        raise typer.Exit(1)


def _shown(path: str | None) -> str:
    """A file as kubectl names it in errors: relative to where the command runs; STDIN."""
    return os.path.relpath(path) if path else "STDIN"


def _wait_gone(cluster: Cluster, keys: list[ObjectKey], timeout: float | None) -> None:
    for _ in follow(cluster, from_revision=cluster.store.revision(), timeout=timeout):
        if all(cluster.api.find(key) is None for key in keys):
            return
    left = next(key for key in keys if cluster.api.find(key) is not None)
    raise ReconcilerError(
        f"timed out waiting for the condition on {kind_info(left.kind).plural}/{left.name}"
    )
