"""The GitOps panel's data: each manifest file of the daemon's folder, its sync and health status
and its errors at `path:line:col`, with the daemon's last sync.

The folder is the one the newest `reconciler watch` recorded in the store
(runtime/status.py `watched_folder`), its last sync the record the daemon keeps there
(`last_sync`); per object, sync and health come from `folder_status`, the same computation as
`reconciler status`, grouped here by file. `folder_report` answers `GET /reconciler/v1/status`;
`StatusTracker` recomputes it in a thread of its own, at most once per INTERVAL and only after
the store or the daemon's record moved, and publishes a changed report through the ChangeHub
so that the dashboard's stream pushes it. It never changes the cluster.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from reconciler.api.inventory import source_id_for
from reconciler.api.server import Api
from reconciler.errors import ReconcilerError
from reconciler.runtime.folder import ManifestFolder
from reconciler.runtime.health import worst
from reconciler.runtime.status import (
    FolderStatus,
    ObjectStatus,
    SyncStatus,
    folder_status,
    last_sync,
    watched_folder,
)
from reconciler.runtime.watcher import folder_identity
from reconciler.web.changes import ChangeHub

INTERVAL = 1.0
"""Seconds between two looks at the store and the daemon's record."""

Report = dict[str, Any]


def display_root(root: Path) -> str:
    """How the page names the folder: relative to where the dashboard runs when it is below it
    (`manifests`), else absolute, so that `path:line:col` reads as `reconciler validate` says."""
    relative = os.path.relpath(root, Path.cwd())
    return str(root) if relative.startswith("..") else relative


class FolderReader:
    """Reads one folder's report; keeps the folder's parse cache between reads."""

    def __init__(self) -> None:
        self._folder: ManifestFolder | None = None

    def report(self, api: Api) -> Report:
        """The report for the folder the newest daemon watched (`folder: null` when none did)."""
        root = watched_folder(api.store)
        if root is None:
            return {"folder": None, "files": [], "errors": [], "lastSync": None}
        source_id = source_id_for([root])
        display = display_root(root)
        if self._folder is None or self._folder.root != root:
            self._folder = ManifestFolder(root, display=display)
        base: Report = {"folder": str(root), "display": display, "files": [], "objects": []}
        base["lastSync"] = last_sync(api.store, source_id)
        try:
            folder_identity(root)
            status = folder_status(api, self._folder, source_id=source_id)
        except ReconcilerError as error:
            return {**base, "syncStatus": str(SyncStatus.ERROR), "errors": [str(error)]}
        return {**base, **_grouped(status, self._folder, display)}


def _grouped(status: FolderStatus, folder: ManifestFolder, display: str) -> Report:
    files = []
    for path in folder.files():
        relative = folder.relative(path)
        shown = os.path.normpath(os.path.join(display, relative))
        errors = [error for error in status.errors if error.startswith(f"{shown}:")]
        rows = [row for row in status.objects if row.source == relative]
        files.append(_file(shown, rows, errors))
    return {
        "syncStatus": str(status.sync),
        "health": str(status.health),
        "files": files,
        "objects": [_object(row) for row in status.objects if row.source is None],
        "errors": status.errors,
    }


def _file(shown: str, rows: list[ObjectStatus], errors: list[str]) -> Report:
    if errors or any(row.sync is SyncStatus.ERROR for row in rows):
        sync = SyncStatus.ERROR
    elif any(row.sync is SyncStatus.OUT_OF_SYNC for row in rows):
        sync = SyncStatus.OUT_OF_SYNC
    else:
        sync = SyncStatus.SYNCED
    # a file that declares nothing (yet: it does not load) has no health to speak of
    health = str(worst([row.health.status for row in rows])) if rows else None
    return {
        "path": shown,
        "sync": str(sync),
        "health": health,
        "objects": [_object(row) for row in rows],
        "errors": errors,
    }


def _object(row: ObjectStatus) -> Report:
    return {
        "kind": row.key.kind,
        "namespace": row.key.namespace,
        "name": row.key.name,
        "sync": str(row.sync),
        "health": str(row.health.status),
        "message": row.message or row.health.message,
    }


class StatusTracker:
    """Keeps the newest report and tells the hub when it changed."""

    def __init__(self, api: Api, hub: ChangeHub) -> None:
        self._api = api
        self._hub = hub
        self._reader = FolderReader()
        self._lock = threading.Lock()
        self._report: Report | None = None
        self._text = ""
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def snapshot(self) -> Report | None:
        """The newest report (None before the first one)."""
        with self._lock:
            return self._report

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="reconciler-status", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10 * INTERVAL)

    def _run(self) -> None:
        looked_at: tuple[int, str, str] | None = None
        while not self._stopping.is_set():
            store = self._api.store
            folder = watched_folder(store)
            record = last_sync(store, source_id_for([folder])) if folder else None
            now = (store.revision(), str(folder), json.dumps(record, sort_keys=True))
            if now != looked_at:
                looked_at = now
                self._refresh()
            self._stopping.wait(INTERVAL)

    def _refresh(self) -> None:
        try:
            report = self._reader.report(self._api)
        except ReconcilerError as error:
            report = {"folder": None, "files": [], "errors": [str(error)], "lastSync": None}
        text = json.dumps(report, sort_keys=True)
        if text == self._text:
            return
        with self._lock:
            self._report, self._text = report, text
        self._hub.publish()
