"""Folder watching: a recursive watchdog observer on the manifests folder, turned into batches.

The daemon (runtime/daemon.py) asks `FolderWatcher.next_batch(timeout)` for the next set of
changed paths. Raw events are debounced the way Tilt does it, with a shorter quiet period because
the daemon's edit-to-pod latency budget is a fraction of a second: a batch is handed out once no
event arrived for `quiet` seconds, or at the latest `max_delay` after its first event, so a
`git checkout` touching a thousand files is one batch, not a thousand. Editor saves (vim's `4913`
probe and `.swp`, emacs `#…#`, `~` backups, write-a-temp-file-then-rename) collapse into one change
of the file they save: the caller's `relevant` predicate drops the temporary names and a rename
counts as a change of both its ends. A folder that is deleted, moved away or replaced by another
one is reported as `FolderLost`, never as a crash.

This is the only module that imports watchdog. It reports paths; it never reads, parses or
applies files, and it never follows symbolic links (a link leaving the folder is not watched).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from reconciler.clock import monotonic
from reconciler.errors import ReconcilerError

QUIET = 0.05
"""Seconds without events after which a batch is handed out (Tilt waits 200 ms; an editor's save
sequence takes a few milliseconds, and the whole edit-to-pod budget is 200 ms)."""
MAX_DELAY = 1.0
"""A batch is handed out at the latest this long after its first event, even under a constant
stream of writes (Tilt's cap is 10 s)."""
MOVE_PAIRING = 0.02
"""How long watchdog's inotify backend holds a rename's "moved from" half to pair it with its
"moved to" half. Its default (0.5 s) would delay every batch behind a file moved out of the
folder; both halves of a rename arrive in the same read, and an unpaired half still reports
its path, which is all a batch needs."""

_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileDeletedEvent,
    FileMovedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]
"""What a batch is made of. Opening and reading a file (our own loader does it) and the
"directory modified" echo of every change inside it are left out, so reading never triggers
another sync."""

Relevance = Callable[[Path, bool], bool]
"""Whether a changed path (and whether it is a directory) can matter to the folder's manifests."""


class FolderLost(ReconcilerError):
    """The watched folder disappeared, became unreadable or was replaced by another one."""


@dataclass(frozen=True)
class Batch:
    """The paths that changed during one debounced burst of events."""

    paths: frozenset[Path]
    """Absolute paths below the root: files, or directories whose whole content may have
    changed (created, deleted or moved as a unit)."""
    events: int
    """How many raw events the burst held (for `-v` logs)."""


def _everything(path: Path, directory: bool) -> bool:
    return True


def _tune_inotify() -> None:
    """Shorten watchdog's rename-pairing hold (see MOVE_PAIRING); the class moved between
    watchdog releases, and other platforms have nothing to tune."""
    try:
        from watchdog.observers.inotify_move_event_grouper import InotifyMoveEventGrouper
    except ImportError:
        try:
            from watchdog.observers.inotify_buffer import InotifyBuffer
        except ImportError:
            return
        InotifyBuffer.delay = MOVE_PAIRING
        return
    InotifyMoveEventGrouper.delay = MOVE_PAIRING


def folder_identity(root: Path) -> tuple[int, int]:
    """The folder's (device, inode): a folder replaced by another one under the same name has
    another identity. Raises FolderLost when it is missing, not a folder or unreadable."""
    try:
        info = root.stat()
        if not root.is_dir():
            raise FolderLost(f"{root} is not a folder")
        if not os.access(root, os.R_OK | os.X_OK):
            raise FolderLost(f"{root} is not readable")
    except FileNotFoundError:
        raise FolderLost(f"{root} does not exist") from None
    except PermissionError:
        raise FolderLost(f"{root} is not readable") from None
    except OSError as error:
        raise FolderLost(f"{root} cannot be read: {error.strerror}") from None
    return info.st_dev, info.st_ino


class _Collector(FileSystemEventHandler):
    """Runs on watchdog's thread: records relevant paths and wakes the waiting daemon."""

    def __init__(self, watcher: FolderWatcher) -> None:
        self._watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths = [event.src_path]
        if isinstance(event, FileMovedEvent | DirMovedEvent) and event.dest_path:
            paths.append(event.dest_path)
        self._watcher._record(
            [Path(os.fsdecode(p)) for p in paths if p], directory=event.is_directory
        )


class FolderWatcher:
    """A recursive observer on one folder that hands out debounced batches of changed paths.

    Use as a context manager (or `start`/`stop`); `next_batch` is called from one thread."""

    def __init__(
        self,
        root: Path,
        *,
        relevant: Relevance = _everything,
        quiet: float = QUIET,
        max_delay: float = MAX_DELAY,
    ) -> None:
        self.root = root.absolute()
        self._relevant = relevant
        self._quiet = quiet
        self._max_delay = max_delay
        self._changed = threading.Condition()
        self._pending: set[Path] = set()
        self._events = 0
        self._first = 0.0
        self._last = 0.0
        self._woken = False
        self._lost: str | None = None
        self._identity: tuple[int, int] | None = None
        self._observer: BaseObserver | None = None

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Begin watching. Raises FolderLost when the folder cannot be watched."""
        self._identity = folder_identity(self.root)
        _tune_inotify()
        observer = Observer()
        try:
            observer.schedule(
                _Collector(self),
                str(self.root),
                recursive=True,
                event_filter=_EVENTS,
                follow_symlink=False,
            )
            observer.start()
        except OSError as error:
            raise FolderLost(f"cannot watch {self.root}: {error.strerror or error}") from None
        self._observer = observer

    def stop(self) -> None:
        """Stop watching and release the observer's threads; safe to call twice."""
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)
        self.wake()

    def __enter__(self) -> FolderWatcher:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    # -- batches -------------------------------------------------------------------------------

    def next_batch(self, timeout: float) -> Batch | None:
        """The next debounced batch, waiting up to `timeout` seconds for it; None when the time
        ran out or `wake()` was called first. Raises FolderLost when the folder went away."""
        deadline = monotonic() + timeout
        with self._changed:
            while True:
                self._check_folder()
                now = monotonic()
                if self._pending:
                    due = min(self._last + self._quiet, self._first + self._max_delay)
                    if now >= due:
                        return self._take()
                    wait = min(due, deadline) - now
                else:
                    wait = deadline - now
                if self._woken or wait <= 0:
                    self._woken = False
                    return None
                self._changed.wait(wait)

    def wake(self) -> None:
        """Make a waiting `next_batch` return now (a signal asked the daemon to stop)."""
        with self._changed:
            self._woken = True
            self._changed.notify_all()

    def _take(self) -> Batch:
        batch = Batch(frozenset(self._pending), self._events)
        self._pending.clear()
        self._events = 0
        return batch

    def _check_folder(self) -> None:
        """Raise FolderLost when the observer saw the folder go, or it is no longer the folder
        the watch was set on (moved away and replaced: inotify keeps following the old one)."""
        if self._lost is None:
            try:
                if folder_identity(self.root) != self._identity:
                    self._lost = f"{self.root} was replaced by another folder"
            except FolderLost as error:
                self._lost = str(error)
        if self._lost is not None:
            raise FolderLost(self._lost)

    def _record(self, paths: list[Path], *, directory: bool) -> None:
        wanted = [
            path for path in paths if self.root in path.parents and self._relevant(path, directory)
        ]
        with self._changed:
            if self.root in paths and not self.root.is_dir():
                self._lost = f"{self.root} was deleted"
            elif not wanted and not self._pending:
                return
            now = monotonic()
            if not self._pending:
                self._first = now
            # An irrelevant event inside a burst (the temp file of an atomic save) still
            # extends the burst: the save it belongs to is not over yet.
            self._pending.update(wanted)
            self._events += 1
            self._last = now
            self._changed.notify_all()
