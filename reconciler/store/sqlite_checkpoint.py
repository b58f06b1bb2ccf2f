"""Checkpointing a long-lived SQLite store's write-ahead log on a thread of its own.

In WAL mode SQLite copies the log back into the database file (a checkpoint) at the end of the
commit that grew it past 1,000 pages, in the committing call. For a command that is fine; for
the daemon it is not: the commit of a big instant (15,000 pods converging at once writes a log of
about 200 MB) then spends most of a second copying it, after its writes are already visible to
every reader, and the file edits that arrived meanwhile wait behind it. So a store opened with
`background_checkpoints` (store/sqlite.py) turns that off for its connection and tells a
`Checkpointer` how much each commit wrote: once about as much as SQLite's own threshold has
piled up, a thread with a connection of its own runs a PASSIVE checkpoint (it neither waits for
nor blocks readers and writers), at most once per `INTERVAL`. SQLite releases the interpreter's
lock while it copies, so the daemon's loop goes on.

Only store/sqlite.py uses this module; it interprets nothing of what the file holds.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

from reconciler.store.sqlite_schema import PAGE_SIZE

THRESHOLD = 4 * 1024 * 1024
"""Bytes written since the last checkpoint that call for the next one (SQLite's own threshold
is 1,000 pages, 16 MB at our page size). Checkpointing after every small commit instead would
sync the file twice for each edit of a quiet daemon."""
INTERVAL = 1.0
"""Seconds between two checkpoints at least, however fast the log grows."""

CHECKPOINT = "PRAGMA wal_checkpoint(PASSIVE)"


class Checkpointer:
    """A thread that checkpoints one database file's log once enough was written to it;
    `close()` ends it."""

    def __init__(self, path: Path, *, busy_timeout: float) -> None:
        # Made here, used only by the thread (hence check_same_thread off), closed by it.
        self._db = sqlite3.connect(
            path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        self._pending = 0
        """Bytes committed since the last nudge (only the committing thread touches it)."""
        self._nudged = threading.Event()
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def committed(self, size: int) -> None:
        """Say that a commit wrote `size` bytes of object text (cheap, never waits)."""
        # A page at least: the count of object text misses what the meta entries and timers
        # wrote (the simulation's clock moves with nearly every commit).
        self._pending += max(size, PAGE_SIZE)
        if self._pending >= THRESHOLD:
            self._pending = 0
            self._nudged.set()

    def close(self) -> None:
        """Stop the thread after the checkpoint in flight; safe to call twice."""
        self._closing.set()
        self._nudged.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            while True:
                self._nudged.wait()
                if self._closing.is_set():
                    return
                self._nudged.clear()
                # A failed checkpoint loses nothing (the log keeps every page); the next
                # nudge tries again, and closing the last connection checkpoints anyway.
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute(CHECKPOINT).fetchall()
                if self._closing.wait(INTERVAL):
                    return
        finally:
            self._db.close()
