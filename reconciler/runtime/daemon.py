"""The GitOps daemon: `reconciler watch DIR` keeps the cluster converged to a folder.

`run_daemon` takes the state folder's daemon lock (runtime/lock.py), parses the folder (on every
core: before any thread starts), opens the cluster, starts the folder watcher (runtime/watcher.py)
and runs an initial full sync; then, until SIGINT or SIGTERM, it syncs each debounced batch of
changed files (runtime/sync.py), keeps the simulated cluster moving in real time (it advances
whenever a timer falls due or someone wrote to the store, checking every TICK), looks for drift
after every move, and runs a full resync every `resync` seconds to catch anything an event
missed. A signal only sets a flag: a sync in flight completes, the next one does not start. A
folder that disappears, turns unreadable or is replaced is reported once and looked for again
every second while the cluster keeps running; it never ends in a crash loop. Each sync is
logged (runtime/synclog.py) and recorded in the store for `reconciler status`. Everything the
daemon knows is in the store or the folder, so a daemon killed with SIGKILL and started again
resumes where it was: apply is idempotent.
"""

from __future__ import annotations

import signal
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import FrameType

from reconciler.api.inventory import source_id_for
from reconciler.clock import monotonic
from reconciler.collector import collector_paused, freeze_for_good
from reconciler.errors import ReconcilerError
from reconciler.runtime.folder import ManifestFolder
from reconciler.runtime.lock import DaemonLock
from reconciler.runtime.session import Cluster, open_cluster
from reconciler.runtime.status import record_failure, record_sync, remember_folder
from reconciler.runtime.sync import Syncer, SyncReport, Trigger
from reconciler.runtime.synclog import SyncLog
from reconciler.runtime.watcher import FolderLost, FolderWatcher, Relevance, folder_identity
from reconciler.source.parallel import workers_available
from reconciler.store.open import open_store
from reconciler.store.paths import state_home

DEFAULT_RESYNC = 180.0
"""Seconds between full resyncs (Argo CD polls every 180 s; we only need it as a safety net)."""
TICK = 0.05
"""Longest wait between two looks at the store and the timers while the folder is quiet."""
FOLDER_RETRY = 1.0
"""How often a lost folder is looked for."""


@dataclass(frozen=True)
class WatchOptions:
    """`reconciler watch` options."""

    folder: Path
    prune: bool = True
    self_heal: bool = True
    resync: float = DEFAULT_RESYNC


class Daemon:
    """One run of the daemon; `stop()` may be called from a signal handler or another thread."""

    def __init__(self, options: WatchOptions, *, log: SyncLog) -> None:
        self.options = options
        self.root = options.folder.absolute()
        self.source_id = source_id_for([self.root])
        self._log = log
        self._stopping = False
        self._wakeup = threading.Event()
        self._watcher: FolderWatcher | None = None
        self._lost_since: float | None = None
        self._advanced_revision = -1
        self._relevant: Relevance = lambda path, directory: True

    @property
    def stopping(self) -> bool:
        return self._stopping

    def stop(self) -> None:
        """Ask the loop to end after the step in flight."""
        self._stopping = True
        self._wakeup.set()
        if self._watcher is not None:
            self._watcher.wake()

    def run(self) -> None:
        """Run until stopped. Raises FolderLost when DIR cannot be watched at start, and
        StoreError when another daemon holds the state folder."""
        folder_identity(self.root)
        with DaemonLock(state_home(), folder=self.root):
            folder = ManifestFolder(
                self.root, display=str(self.options.folder), workers=workers_available()
            )
            # Parsed now, while this process has no thread but its own (the store's checkpoints
            # and the watcher start below), so that a big folder is parsed on every core.
            folder.preload()
            self._watch(folder)

    def _watch(self, folder: ManifestFolder) -> None:
        with open_cluster(open_store(long_lived=True)) as cluster:
            self._relevant = folder.relevant
            syncer = Syncer(
                cluster.api,
                folder,
                source_id=self.source_id,
                prune=self.options.prune,
                self_heal=self.options.self_heal,
            )
            self._watcher = FolderWatcher(self.root, relevant=folder.relevant)
            self._watcher.start()
            remember_folder(cluster.store, self.root)
            options = self.options
            self._log.event(
                "started",
                f"watching {self.root} (prune {'on' if options.prune else 'off'}, self-heal "
                f"{'on' if options.self_heal else 'off'}, resync every {options.resync:g} s)",
                folder=str(self.root),
                prune=options.prune,
                selfHeal=options.self_heal,
                resync=options.resync,
            )
            try:
                self._loop(cluster, syncer)
            finally:
                if self._watcher is not None:
                    self._watcher.stop()
            self._log.event("stopped", "stopped")

    # -- the loop ------------------------------------------------------------------------------

    def _loop(self, cluster: Cluster, syncer: Syncer) -> None:
        resync = partial(syncer.sync_all, Trigger.RESYNC)
        self._initial_sync(cluster, syncer)
        next_resync = monotonic() + self.options.resync
        while not self._stopping:
            paths = self._wait(cluster, next_resync, hurry=syncer.behind)
            if self._stopping:
                break
            if paths is not None:
                self._finish(cluster, self._guarded(partial(syncer.sync_paths, paths)))
            self._advance(cluster)
            self._finish(cluster, self._guarded(syncer.check_drift))
            if self._folder_is_back() if self._watcher is None else monotonic() >= next_resync:
                self._finish(cluster, self._guarded(resync))
                next_resync = monotonic() + self.options.resync

    def _initial_sync(self, cluster: Cluster, syncer: Syncer) -> None:
        """Sync the whole folder and let the cluster converge to it, then freeze what that
        built: the folder's manifests and the controllers' caches live as long as the daemon,
        so the collector's full passes must not walk them again and again (230-550 ms each,
        every few seconds of edits, at 10,000 manifests). The collector stays paused from the
        end of the sync to the freeze: resumed in between, it would first walk everything the
        cluster's convergence allocated (130-330 ms at 15,000 pods) just before the freeze
        exempts it all, while the first edits wait."""
        report = self._guarded(partial(syncer.sync_all, Trigger.INITIAL))
        with collector_paused():
            self._finish(cluster, report)
            freeze_for_good()

    def _wait(self, cluster: Cluster, next_resync: float, *, hurry: bool) -> frozenset[Path] | None:
        """Wait for a batch of changed paths, a due timer, the resync or a stop request; with
        `hurry` (the drift check is behind), only take a batch that is ready."""
        timeout = 0.0 if hurry else min(TICK, max(0.0, next_resync - monotonic()))
        due = cluster.store.next_due()
        if due is not None:
            timeout = min(timeout, max(0.0, due - cluster.clock.now()))
        if self._watcher is None:
            self._wakeup.wait(timeout)
            return None
        try:
            batch = self._watcher.next_batch(timeout)
        except FolderLost as lost:
            self._folder_lost(cluster, str(lost))
            return None
        return batch.paths if batch is not None else None

    def _advance(self, cluster: Cluster) -> None:
        """Run the cluster up to now when something is due or the store changed."""
        due = cluster.store.next_due()
        revision = cluster.store.revision()
        if revision != self._advanced_revision or (due is not None and due <= cluster.clock.now()):
            cluster.advance()
            self._advanced_revision = cluster.store.revision()

    def _finish(self, cluster: Cluster, report: SyncReport | None) -> None:
        """Log a sync, let the cluster act on it at once, and record it."""
        if report is None:
            return
        self._log.sync(report)
        if report.outcomes:
            self._advance(cluster)
        if report.trigger is not Trigger.DRIFT or report.outcomes:
            record_sync(cluster.store, self.source_id, report, when=cluster.clock.now())

    def _guarded(self, step: Callable[[], SyncReport | None]) -> SyncReport | None:
        """Run a sync step; its failure is logged, never the end of the daemon. A bug (an
        exception that is no ReconcilerError) is logged with its traceback, and the next step
        runs, as controller-runtime recovers a reconciler's panic."""
        try:
            return step()
        except ReconcilerError as error:
            self._log.event("error", str(error), level="error")
        except Exception as error:
            trace = "".join(traceback.format_exception(error))
            self._log.event("internal-error", f"internal error: {error!r}\n{trace}", level="error")
        return None

    # -- a lost folder -------------------------------------------------------------------------

    def _folder_lost(self, cluster: Cluster, reason: str) -> None:
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        self._lost_since = monotonic()
        message = f"{reason}; its objects are kept as they are, waiting for it to come back"
        self._log.event("folder-lost", message, level="error", folder=str(self.root))
        record_failure(cluster.store, self.source_id, reason, when=cluster.clock.now())

    def _folder_is_back(self) -> bool:
        """Look for the lost folder (once per FOLDER_RETRY) and watch it again when it is."""
        if self._lost_since is None or monotonic() - self._lost_since < FOLDER_RETRY:
            return False
        self._lost_since = monotonic()
        watcher = FolderWatcher(self.root, relevant=self._relevant)
        try:
            watcher.start()
        except FolderLost:
            return False
        self._watcher, self._lost_since = watcher, None
        self._log.event("folder-back", f"{self.root} is back; syncing it", folder=str(self.root))
        return True


def run_daemon(options: WatchOptions, *, log: SyncLog) -> None:
    """Run the daemon in the foreground until SIGINT or SIGTERM; the first signal stops it
    after the step in flight, a second one ends the process at once."""
    daemon = Daemon(options, log=log)

    def on_signal(number: int, frame: FrameType | None) -> None:
        if daemon.stopping:
            raise SystemExit(128 + number)
        daemon.stop()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        daemon.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
