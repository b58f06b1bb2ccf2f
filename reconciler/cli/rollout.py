"""`reconciler rollout status|history|undo|pause|resume|restart`: kubectl's rollout commands.

`status` keeps the cluster moving in real time (`follow.py`) and prints kubectl's progress line
each time it changes (`Waiting for deployment "kubia" rollout to finish: 1 out of 3 new replicas
have been updated...`) until `deployment "kubia" successfully rolled out`; a rollout past its
progress deadline ends with `error: deployment "kubia" exceeded its progress deadline` and exit 1,
`--timeout` with kubectl's timeout error. The other commands call `api/rollout.py` and print
kubectl's line (`deployment.apps/kubia rolled back`). An undo changes only the cluster: for a
deployment applied from a folder this says, on stderr, that the folder wins at the next apply or
GitOps sync unless its manifest is changed too.
"""

from __future__ import annotations

from typing import Annotated

import typer

from reconciler.api import rollout
from reconciler.api.apply import resource_name
from reconciler.cli.completion import complete_resources
from reconciler.cli.context import cluster_from_cli
from reconciler.cli.follow import follow
from reconciler.cli.options import Namespace
from reconciler.cli.printers.history import history_text, revision_text
from reconciler.cli.resources import parse_targets
from reconciler.cli.waiting import parse_duration
from reconciler.errors import ReconcilerError, UsageError
from reconciler.model.deployments import rollout_status
from reconciler.model.keys import ObjectKey
from reconciler.model.kinds import KindInfo
from reconciler.runtime.session import Cluster

rollout_app = typer.Typer(
    name="rollout",
    help="Watch, list, undo, pause, resume or restart the rollout of a deployment.",
    no_args_is_help=True,
)

Resource = Annotated[
    list[str],
    typer.Argument(help="deploy/NAME, or deploy NAME.", autocompletion=complete_resources),
]

_UNSUPPORTED = {
    "status": "no status viewer has been implemented for {group_kind}",
    "history": 'no history viewer has been implemented for "{group_kind}"',
    "undo": 'no rollbacker has been implemented for "{group_kind}"',
    "pause": '{plural} "{name}" pausing is not supported',
    "resume": '{plural} "{name}" resuming is not supported',
    "restart": '{plural} "{name}" restarting is not supported',
}
"""kubectl's words for a rollout verb on a kind that has no rollouts."""


def deployment_key(resources: list[str], namespace: str, *, verb: str) -> ObjectKey:
    """The one deployment a rollout command names (`deploy/kubia` or `deploy kubia`)."""
    targets = parse_targets(resources, verb=f"rollout {verb}")
    names = [(target.info, name) for target in targets for name in target.names]
    if not names:
        raise UsageError("required resource not specified")
    if len(names) > 1:
        raise UsageError(f"rollout {verb} takes one deployment, not {len(names)} objects")
    info, name = names[0]
    if info.kind != "Deployment":
        raise UsageError(_refusal(info, name, verb))
    return ObjectKey("Deployment", namespace, name)


def _refusal(info: KindInfo, name: str, verb: str) -> str:
    group_kind = f"{info.kind}.{info.group}" if info.group else info.kind
    plural = f"{info.plural}.{info.group}" if info.group else info.plural
    return _UNSUPPORTED[verb].format(group_kind=group_kind, plural=plural, name=name)


def _flag(text: str, option: str) -> bool:
    """kubectl's boolean flags take `=true` / `=false`."""
    if text.lower() in ("true", "1", "t", "yes"):
        return True
    if text.lower() in ("false", "0", "f", "no"):
        return False
    raise UsageError(f'invalid argument "{text}" for "{option}" flag: use true or false')


def follow_rollout(cluster: Cluster, key: ObjectKey, *, watch: bool, timeout: float) -> None:
    """Print each new status line until the rollout completes (or once, without `watch`);
    its deadline exceeded or `timeout` seconds (0: none) passed is an error."""
    shown = None
    for _ in follow(cluster, from_revision=cluster.store.revision(), timeout=timeout or None):
        reading = rollout_status(cluster.api.get(key))
        if reading.failed:
            raise ReconcilerError(reading.message)
        if reading.message != shown:
            typer.echo(reading.message)
            shown = reading.message
        if reading.done or not watch:
            return
    raise ReconcilerError("timed out waiting for the condition")


@rollout_app.command("status")
def status(
    resources: Resource,
    watch: Annotated[
        str,
        typer.Option(
            "--watch", help="Wait for the rollout to finish (--watch=false: print once and exit)."
        ),
    ] = "true",
    timeout: Annotated[
        str, typer.Option("--timeout", help="Give up after this long, e.g. 5m (0: never).")
    ] = "0s",
    namespace: Namespace = "default",
) -> None:
    """Show the status of a deployment's rollout, waiting until it finishes.

    Example: reconciler rollout status deploy/kubia
    """
    key = deployment_key(resources, namespace, verb="status")
    seconds = parse_duration(timeout)
    keep_watching = _flag(watch, "--watch")
    with cluster_from_cli() as cluster:
        try:
            follow_rollout(cluster, key, watch=keep_watching, timeout=seconds)
        except KeyboardInterrupt:
            raise typer.Exit(130) from None


@rollout_app.command("history")
def history(
    resources: Resource,
    revision: Annotated[
        int, typer.Option("--revision", help="Show the pod template of this revision.")
    ] = 0,
    namespace: Namespace = "default",
) -> None:
    """List a deployment's revisions, or show one of them.

    Example: reconciler rollout history deploy/kubia --revision 2
    """
    key = deployment_key(resources, namespace, verb="history")
    with cluster_from_cli() as cluster:
        if revision > 0:
            kept = rollout.revision(cluster.api, key, revision)
            typer.echo(revision_text(resource_name(key), kept), nl=False)
        else:
            revisions = rollout.history(cluster.api, key)
            typer.echo(history_text(resource_name(key), revisions), nl=False)


@rollout_app.command("undo")
def undo(
    resources: Resource,
    to_revision: Annotated[
        int,
        typer.Option("--to-revision", help="The revision to roll back to (0: the previous one)."),
    ] = 0,
    namespace: Namespace = "default",
) -> None:
    """Roll a deployment back to its previous revision, or to the one named.

    Example: reconciler rollout undo deploy/kubia --to-revision 1
    """
    key = deployment_key(resources, namespace, verb="undo")
    with cluster_from_cli() as cluster:
        done = rollout.undo(cluster.api, key, to_revision=to_revision)
        cluster.advance()
    typer.echo(f"{resource_name(key)} {done.action}")
    if done.manifest is not None:
        typer.echo(
            f"note: {resource_name(key)} came from {done.manifest}; the rollback changed only "
            "the cluster, so the next apply or GitOps sync of that folder (at once under "
            "`reconciler watch`) rolls it forward to the manifest's template again. Change the "
            "manifest too to keep it.",
            err=True,
        )


def _simple(verb: str, resources: list[str], namespace: str) -> None:
    key = deployment_key(resources, namespace, verb=verb)
    act = {"pause": rollout.pause, "resume": rollout.resume, "restart": rollout.restart}[verb]
    with cluster_from_cli() as cluster:
        done = act(cluster.api, key)
        cluster.advance()
    typer.echo(f"{resource_name(key)} {done.action}")


@rollout_app.command("pause")
def pause(resources: Resource, namespace: Namespace = "default") -> None:
    """Pause a deployment: template changes wait until it is resumed (scaling still works).

    Example: reconciler rollout pause deploy/kubia
    """
    _simple("pause", resources, namespace)


@rollout_app.command("resume")
def resume(resources: Resource, namespace: Namespace = "default") -> None:
    """Resume a paused deployment: the template it holds now rolls out.

    Example: reconciler rollout resume deploy/kubia
    """
    _simple("resume", resources, namespace)


@rollout_app.command("restart")
def restart(resources: Resource, namespace: Namespace = "default") -> None:
    """Replace every pod of a deployment by a rolling update.

    The pod template gets the annotation kubectl.kubernetes.io/restartedAt set to now.

    Example: reconciler rollout restart deploy/kubia
    """
    _simple("restart", resources, namespace)
