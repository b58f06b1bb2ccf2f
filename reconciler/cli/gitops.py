"""`reconciler watch DIR` and `reconciler status [DIR]`: the GitOps daemon and its report.

Thin shells: `watch` builds the options and the log and runs `runtime/daemon.run_daemon` in the
foreground (with `--dashboard`, the dashboard is served in a thread beside it, cli/dashboard.py);
`status` opens the cluster, asks `runtime/status.folder_status` and prints it as
`argocd app get` does (a summary, then one row per object), or as JSON with `-o json`. `status`
exits 0 only when every object is Synced and Healthy.
"""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer

from reconciler.api.inventory import source_id_for
from reconciler.cli.context import cluster_from_cli
from reconciler.cli.dashboard import PortOption, serving_dashboard
from reconciler.cli.printers.tabwriter import TabWriter
from reconciler.errors import UsageError
from reconciler.runtime.daemon import DEFAULT_RESYNC, WatchOptions, run_daemon
from reconciler.runtime.folder import ManifestFolder
from reconciler.runtime.status import FolderStatus, folder_status, watched_folder
from reconciler.runtime.synclog import LogFormat, SyncLog
from reconciler.runtime.watcher import folder_identity
from reconciler.web.serve import DEFAULT_PORT

commands = typer.Typer()


@commands.command("watch")
def watch(
    folder: Annotated[
        Path, typer.Argument(help="The folder of manifests to keep the cluster converged to.")
    ],
    prune: Annotated[
        bool,
        typer.Option(
            "--prune/--no-prune",
            help="Delete objects whose manifest was removed from the folder.",
        ),
    ] = True,
    self_heal: Annotated[
        bool,
        typer.Option(
            "--self-heal/--no-self-heal",
            help="Revert changes made to the cluster outside the folder (drift); "
            "without it drift is only reported.",
        ),
    ] = True,
    resync: Annotated[
        float,
        typer.Option(
            "--resync",
            metavar="SECONDS",
            min=1.0,
            help="Seconds between full resyncs of the folder (a safety net for missed events).",
        ),
    ] = DEFAULT_RESYNC,
    log_format: Annotated[
        LogFormat,
        typer.Option("--log-format", case_sensitive=False, help="Log lines as text or JSON."),
    ] = LogFormat.TEXT,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log every object a sync touched.")
    ] = False,
    dashboard: Annotated[
        bool,
        typer.Option("--dashboard", help="Also serve the live dashboard on 127.0.0.1 (--port)."),
    ] = False,
    port: PortOption = DEFAULT_PORT,
) -> None:
    """Keep the cluster converged to a folder of manifests, GitOps style, until Ctrl-C.

    An initial sync, then every saved file is applied within a fraction of a second; removed
    manifests are pruned; changes made to the cluster outside the folder are reverted.
    With --dashboard, the live web page of the cluster is served beside it.

    Example: reconciler watch manifests/
    """
    log = SyncLog(sys.stderr, log_format=log_format, verbose=verbose)
    options = WatchOptions(folder, prune=prune, self_heal=self_heal, resync=resync)
    with ExitStack() as serving:
        if dashboard:
            serving.enter_context(serving_dashboard(port, log=log))
        run_daemon(options, log=log)


@commands.command("status")
def status(
    folder: Annotated[
        Path | None,
        typer.Argument(help="The folder of manifests (default: the one the daemon watches)."),
    ] = None,
    output: Annotated[
        str, typer.Option("--output", "-o", help="Output format: json for machines.")
    ] = "",
) -> None:
    """Show, per object of a folder, whether the cluster matches it and whether it is healthy.

    Exits 0 only when every object is Synced and Healthy. Works with or without a daemon.

    Example: reconciler status manifests/
    """
    if output not in ("", "json"):
        raise UsageError(f'unable to match a printer suitable for the output format "{output}"')
    with cluster_from_cli() as cluster:
        chosen = folder or watched_folder(cluster.store)
        if chosen is None:
            raise UsageError("no folder given and no daemon has watched one: reconciler status DIR")
        root = chosen.absolute()
        folder_identity(root)
        manifests = ManifestFolder(root, display=str(chosen))
        report = folder_status(cluster.api, manifests, source_id=source_id_for([root]))
    typer.echo(json.dumps(_as_json(report), indent=2) if output else _as_text(report), nl=False)
    raise typer.Exit(0 if report.ok else 1)


def _as_text(report: FolderStatus) -> str:
    summary = TabWriter(min_width=0, padding=2)
    summary.write(f"Folder:\t{report.folder}\n")
    summary.write(f"Sync Status:\t{report.sync}\n")
    summary.write(f"Health Status:\t{report.health}\n")
    summary.write(f"Last Sync:\t{_last_sync(report.last_sync)}\n")
    text = summary.flush()
    if report.objects:
        table = TabWriter()
        table.write("KIND\tNAMESPACE\tNAME\tSOURCE\tSTATUS\tHEALTH\tMESSAGE\n")
        for row in report.objects:
            message = row.message or row.health.message
            cells = (
                row.key.kind,
                row.key.namespace,
                row.key.name,
                row.source or "<none>",
                str(row.sync),
                str(row.health.status),
                message.replace("\t", " ").replace("\n", " "),
            )
            table.write("\t".join(cells) + "\n")
        text += "\n" + table.flush()
    if report.errors:
        text += "\nErrors:\n" + "".join(f"  {error}\n" for error in report.errors)
    return text


def _last_sync(record: dict[str, Any] | None) -> str:
    if record is None:
        return "never (no daemon has synced this folder)"
    counts = ", ".join(
        f"{record.get(action, 0)} {action}" for action in ("created", "configured", "pruned")
    )
    errors = record.get("errors") or []
    text = f"{record['time']} ({record['trigger']}) {record['result']}"
    if "durationMs" in record:
        text += f": {counts} in {record['durationMs']:g} ms"
    if errors:
        text += f", {len(errors)} error{'' if len(errors) == 1 else 's'}: {errors[0]}"
    return text


def _as_json(report: FolderStatus) -> dict[str, Any]:
    return {
        "folder": report.folder,
        "syncStatus": str(report.sync),
        "health": str(report.health),
        "lastSync": report.last_sync,
        "objects": [
            {
                "kind": row.key.kind,
                "namespace": row.key.namespace,
                "name": row.key.name,
                "source": row.source,
                "status": str(row.sync),
                "health": str(row.health.status),
                "message": row.message or row.health.message,
            }
            for row in report.objects
        ],
        "errors": report.errors,
    }
