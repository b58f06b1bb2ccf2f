"""`rollout history|undo|pause|resume|restart`: what kubectl does client-side to a Deployment.

Ports of kubectl's polymorphichelpers (history.go, rollback.go, objectpauser.go,
objectresumer.go, objectrestarter.go), with their words:
- `history` lists the revisions kept in the deployment's ReplicaSets (annotation
  `deployment.kubernetes.io/revision`) with their `kubernetes.io/change-cause`; `revision` gives
  one revision's pod template.
- `undo` copies an old ReplicaSet's pod template (without pod-template-hash) into the
  deployment, with its annotations (the deployment keeps its own last-applied, revision and
  bookkeeping ones); the previous revision when none is named. "rolled back", or "skipped
  rollback (current template already matches revision N)".
- `pause` / `resume` set spec.paused; `restart` stamps the template annotation
  `kubectl.kubernetes.io/restartedAt`, which rolls every pod.

These change the cluster only. A deployment applied from a folder keeps its fields there: apply
and a GitOps sync put the manifest's template back after an `undo` (the report names the file so
the CLI can say so); `pause` and `restart` set fields no manifest names, which apply leaves alone,
as kubectl's three-way merge does. Called by `cli/rollout.py`; prints nothing.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from reconciler.api.apply import SOURCE
from reconciler.api.scale import source_of
from reconciler.api.server import Api
from reconciler.clock import rfc3339
from reconciler.errors import UsageError
from reconciler.model.deployments import (
    CHANGE_CAUSE,
    NOT_COPIED,
    RESTARTED_AT,
    TOOL_PREFIX,
    annotations_of,
    controlled_by,
    equal_ignoring_hash,
    revision_of,
    template_of,
    without_hash,
)
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.kinds import kind_info
from reconciler.model.selectors import of_workload


@dataclass(frozen=True)
class Revision:
    """One revision of a deployment: its number, why it was made, its pod template."""

    number: int
    change_cause: str
    template: Obj


@dataclass(frozen=True)
class Done:
    """What a rollout command did, in kubectl's word (`rolled back`, `paused`…), and the
    manifest the deployment came from when the change was made in the cluster only."""

    key: ObjectKey
    action: str
    manifest: Path | None = None


def _deployment(api: Api, key: ObjectKey) -> Obj:
    if key.kind != "Deployment":
        raise UsageError(f"rollout works on deployments, not {kind_info(key.kind).plural}")
    return api.get(key)


def replica_sets_of(api: Api, deployment: Obj) -> list[Obj]:
    """The ReplicaSets the deployment controls (its selector's, with it as controller)."""
    namespace = deployment["metadata"]["namespace"]
    return [
        rs
        for rs in api.list("ReplicaSet", namespace, of_workload(deployment))
        if controlled_by(rs, deployment)
    ]


def history(api: Api, key: ObjectKey) -> list[Revision]:
    """Every revision still kept, oldest first (DeploymentHistoryViewer)."""
    kept: dict[int, Revision] = {}
    for rs in replica_sets_of(api, _deployment(api, key)):
        number = revision_of(rs)
        cause = annotations_of(rs).get(CHANGE_CAUSE, "")
        kept[number] = Revision(number, cause, copy.deepcopy(template_of(rs)))
    return [kept[number] for number in sorted(kept)]


def revision(api: Api, key: ObjectKey, number: int) -> Revision:
    """One revision's details; `unable to find the specified revision` when not kept."""
    for kept in history(api, key):
        if kept.number == number:
            return kept
    raise UsageError("unable to find the specified revision")


def _source(deployment: Obj) -> Path | None:
    annotation = annotations_of(deployment).get(SOURCE)
    return source_of(annotation)[0] if annotation else None


def undo(api: Api, key: ObjectKey, *, to_revision: int = 0) -> Done:
    """Roll the deployment back to `to_revision`, or to the previous one when 0."""
    if to_revision < 0:
        raise UsageError(f"unable to find specified revision {to_revision} in history")
    with api.store.transaction():
        deployment = _deployment(api, key)
        target = _revision_set(api, deployment, to_revision)
        if (deployment.get("spec") or {}).get("paused"):
            raise UsageError(
                "you cannot rollback a paused deployment; resume it first with 'reconciler "
                f"rollout resume deployment/{key.name}' and try again"
            )
        if equal_ignoring_hash(template_of(target), template_of(deployment)):
            matched = revision_of(target)
            return Done(
                key, f"skipped rollback (current template already matches revision {matched})"
            )
        kept = {
            name: value
            for name, value in annotations_of(deployment).items()
            if name in NOT_COPIED or name.startswith(TOOL_PREFIX)
        }
        copied = {
            name: value for name, value in annotations_of(target).items() if name not in NOT_COPIED
        }
        deployment["spec"]["template"] = without_hash(template_of(target))
        annotations = {**kept, **copied}
        if annotations:
            deployment["metadata"]["annotations"] = annotations
        else:
            deployment["metadata"].pop("annotations", None)
        api.update(deployment)
    return Done(key, "rolled back", _source(deployment))


def _revision_set(api: Api, deployment: Obj, to_revision: int) -> Obj:
    """deploymentRevision: the ReplicaSet of a revision, or the second newest for 0."""
    ordered = sorted(replica_sets_of(api, deployment), key=revision_of)
    if to_revision:
        for rs in ordered:
            if revision_of(rs) == to_revision:
                return rs
        raise UsageError(f"unable to find specified revision {to_revision} in history")
    numbers = sorted({revision_of(rs) for rs in ordered})
    if len(numbers) < 2:
        raise UsageError(
            f'no rollout history found for deployment "{deployment["metadata"]["name"]}"'
        )
    previous = numbers[-2]
    return next(rs for rs in ordered if revision_of(rs) == previous)


def _refused(key: ObjectKey, why: str) -> UsageError:
    return UsageError(f'{kind_info(key.kind).plural}.apps "{key.name}" {why}')


def pause(api: Api, key: ObjectKey) -> Done:
    """spec.paused: true; the controller then starts no rollout (a scale still applies)."""
    return _set_paused(api, key, paused=True)


def resume(api: Api, key: ObjectKey) -> Done:
    """spec.paused: false; a template changed while paused now rolls out."""
    return _set_paused(api, key, paused=False)


def _set_paused(api: Api, key: ObjectKey, *, paused: bool) -> Done:
    with api.store.transaction():
        deployment = _deployment(api, key)
        if bool(deployment["spec"].get("paused")) == paused:
            raise _refused(key, "is already paused" if paused else "is not paused")
        if paused:
            deployment["spec"]["paused"] = True
        else:
            deployment["spec"].pop("paused", None)
        api.update(deployment)
    return Done(key, "paused" if paused else "resumed")


def restart(api: Api, key: ObjectKey) -> Done:
    """Stamp the pod template with the time, so every pod is replaced by a rolling update."""
    with api.store.transaction():
        deployment = _deployment(api, key)
        if deployment["spec"].get("paused"):
            raise _refused(key, "can't restart paused deployment (run rollout resume first)")
        meta = deployment["spec"].setdefault("template", {}).setdefault("metadata", {})
        meta.setdefault("annotations", {})[RESTARTED_AT] = rfc3339(api.clock.now())
        api.update(deployment)
    return Done(key, "restarted")
