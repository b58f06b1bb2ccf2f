"""Where a folder and its cluster stand: per object, sync status and health; and the last sync.

`reconciler status DIR` calls `folder_status`, which needs no daemon: it reads the folder, asks
apply for a dry run against the live objects and judges each one's health (runtime/health.py),
the way Argo CD keeps sync status (does live match the folder?) apart from health (is it
working?). The daemon records each sync it runs with `record_sync` in the store meta entry
`gitops/<source id>`, and `folder_status` shows the newest record beside what it computed.
It never changes the cluster.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from reconciler.api import inventory as inventories
from reconciler.api.apply import Action, apply
from reconciler.api.metadata import controller_of
from reconciler.api.server import Api
from reconciler.clock import rfc3339
from reconciler.model.keys import ObjectKey
from reconciler.runtime.desired import DesiredState, source_file
from reconciler.runtime.folder import ManifestFolder
from reconciler.runtime.health import Health, HealthStatus, health_of, worst
from reconciler.runtime.sync import SyncReport
from reconciler.store.base import Store

META_PREFIX = "gitops/"
LAST_FOLDER = "gitops-folder"
"""Meta entry: the folder the newest daemon watched (what `status` looks at by default)."""
SHOWN_CHANGES = 3


class SyncStatus(StrEnum):
    """Whether a live object matches the folder (Argo CD's sync status, plus Error for an
    object whose file cannot be read)."""

    SYNCED = "Synced"
    OUT_OF_SYNC = "OutOfSync"
    ERROR = "Error"


@dataclass(frozen=True)
class ObjectStatus:
    """One object of the folder (or one the folder applied before and no longer declares)."""

    key: ObjectKey
    source: str | None
    """The file declaring it, relative to the folder (None: no file does any more)."""
    sync: SyncStatus
    health: HealthStatus
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.sync is SyncStatus.SYNCED and self.health.status is Health.HEALTHY


@dataclass
class FolderStatus:
    """The whole answer of `reconciler status`."""

    folder: str
    objects: list[ObjectStatus] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    last_sync: dict[str, Any] | None = None

    @property
    def sync(self) -> SyncStatus:
        if self.errors or any(o.sync is SyncStatus.ERROR for o in self.objects):
            return SyncStatus.ERROR
        if any(o.sync is SyncStatus.OUT_OF_SYNC for o in self.objects):
            return SyncStatus.OUT_OF_SYNC
        return SyncStatus.SYNCED

    @property
    def health(self) -> Health:
        return worst([o.health.status for o in self.objects])

    @property
    def ok(self) -> bool:
        """All Synced and Healthy: `reconciler status` exits 0 only then."""
        return self.sync is SyncStatus.SYNCED and self.health is Health.HEALTHY


def record_sync(store: Store, source_id: str, report: SyncReport, *, when: float) -> None:
    """Keep the newest sync's time and result where `reconciler status` finds it."""
    record = {
        "time": rfc3339(when),
        "trigger": str(report.trigger),
        "result": "Succeeded" if report.ok else "Failed",
        "files": len(report.files),
        "created": report.count(Action.CREATED),
        "configured": report.count(Action.CONFIGURED),
        "pruned": report.count(Action.PRUNED),
        "errors": report.errors,
        "durationMs": round(report.duration * 1000, 1),
    }
    store.set_meta(META_PREFIX + source_id, json.dumps(record, sort_keys=True))


def record_failure(store: Store, source_id: str, message: str, *, when: float) -> None:
    """Keep a failure that is not a sync (the folder went away) as the newest result."""
    record = {"time": rfc3339(when), "trigger": "folder", "result": "Failed", "errors": [message]}
    store.set_meta(META_PREFIX + source_id, json.dumps(record, sort_keys=True))


def remember_folder(store: Store, folder: Path) -> None:
    """Note the folder a daemon watches, so that `reconciler status` finds it without DIR."""
    store.set_meta(LAST_FOLDER, str(folder))


def watched_folder(store: Store) -> Path | None:
    """The folder the newest daemon watched, or None when no daemon ever ran."""
    text = store.get_meta(LAST_FOLDER)
    return Path(text) if text else None


def last_sync(store: Store, source_id: str) -> dict[str, Any] | None:
    """The newest record a daemon kept for this folder, or None."""
    text = store.get_meta(META_PREFIX + source_id)
    return json.loads(text) if text else None


def folder_status(api: Api, folder: ManifestFolder, *, source_id: str) -> FolderStatus:
    """Compare the folder with the live cluster, object by object."""
    desired = DesiredState()
    desired.replace(folder.load_all())
    status = FolderStatus(str(folder.root), errors=desired.errors())
    status.last_sync = last_sync(api.store, source_id)
    manifests = desired.manifests()
    dry = None
    if manifests:
        dry = apply(api, manifests, source_id=source_id, dry_run=True, validated=True)
    for outcome in dry.outcomes if dry else ():
        path = outcome.manifest.path if outcome.manifest else None
        source = folder.relative(Path(path)) if path else None
        live = api.find(outcome.key)
        if outcome.action is Action.UNCHANGED:
            sync, message = SyncStatus.SYNCED, ""
        elif outcome.action is Action.CREATED:
            sync, message = SyncStatus.OUT_OF_SYNC, "not in the cluster"
        else:
            sync, message = SyncStatus.OUT_OF_SYNC, _changes(outcome.changes)
        status.objects.append(ObjectStatus(outcome.key, source, sync, health_of(live), message))
    for failure in dry.failures if dry else ():
        if failure.key is not None:
            source = folder.relative(Path(failure.manifest.path or ""))
            health = health_of(api.find(failure.key))
            status.objects.append(
                ObjectStatus(failure.key, source, SyncStatus.ERROR, health, failure.message)
            )
        status.errors.append(failure.message)
    status.objects += _undeclared(api, desired, folder, source_id=source_id)
    status.objects.sort(key=lambda o: (o.source or "\uffff", o.key.kind, o.key.namespace, o.key))
    return status


def _undeclared(
    api: Api, desired: DesiredState, folder: ManifestFolder, *, source_id: str
) -> list[ObjectStatus]:
    """Objects the folder applied before that no readable file declares now: in a file that
    cannot be read (Error), or in none (OutOfSync: a sync would prune them)."""
    broken = {str(path): desired.files[path].errors for path in desired.broken()}
    rows = []
    for key, uid in inventories.load(api.store, source_id).objects.items():
        if key in desired.owner:
            continue
        live = api.find(key)
        if live is None or live["metadata"].get("uid") != uid or controller_of(live):
            continue
        path = source_file(live)
        source = folder.relative(Path(path)) if path else None
        if path in broken:
            first = broken[path][0] if broken[path] else ""
            rows.append(ObjectStatus(key, source, SyncStatus.ERROR, health_of(live), first))
        else:
            message = "no file declares it any more (a sync with prune deletes it)"
            rows.append(ObjectStatus(key, None, SyncStatus.OUT_OF_SYNC, health_of(live), message))
    return rows


def _changes(changes: tuple[Any, ...]) -> str:
    shown = "; ".join(str(c) for c in changes[:SHOWN_CHANGES])
    if len(changes) > SHOWN_CHANGES:
        shown += f" and {len(changes) - SHOWN_CHANGES} more"
    return shown or "differs from the folder"
