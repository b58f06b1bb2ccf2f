"""The SQLite store's read cache for one write transaction (see TransactionCache).

Only store/sqlite.py uses it; it holds rows as that module reads and writes them and never
touches the database itself.
"""

from __future__ import annotations

from typing import NamedTuple

from reconciler.model.keys import ObjectKey

CACHED_OBJECTS = 10_000
"""Most objects a write transaction keeps at once in its read cache (about 30 MB of pods)."""

CACHED_CHANGES = 10_000
"""Most changes a write transaction keeps for watches before forgetting them all."""


class Change(NamedTuple):
    """One change this transaction wrote, as a watch reads it from the changes table."""

    revision: int
    type: str
    key: ObjectKey
    text: str


class Row(NamedTuple):
    """A stored object as the write path needs it (and its text, once read or written)."""

    revision: int
    labels: str
    text: str | None = None


class TransactionCache:
    """What this process read or wrote during the current write transaction.

    While it holds the write lock no other process can write, so within one transaction a
    value read once stays true until this process itself writes it: each read of an object,
    a meta entry or the compaction mark then costs one query per transaction, not one per
    call. The manager runs a whole simulated instant as one transaction, in which controllers
    read the same objects and settings many times. Dropped when the transaction ends, and
    after any failed write (which might have left the rows half-written). Objects are kept up
    to CACHED_OBJECTS at a time (an instant of a big cluster touches every pod: 150,000 texts
    would cost more than a gigabyte).

    The changes it writes are kept too, for the watch that follows nearly every write (the
    manager collects what changed before each reconcile): every change after `changes_after`
    is in `changes`, oldest first, so such a watch reads no row. A watch from an older revision
    reads the table."""

    def __init__(self, revision: int) -> None:
        self.objects: dict[ObjectKey, Row | None] = {}
        """None: known absent."""
        self.meta: dict[str, str | None] = {}
        self.compacted: int | None = None
        self.changes: list[Change] = []
        self.changes_after = revision

    def wrote(self, change: Change) -> None:
        """Keep a change for watches, forgetting all kept first when there are too many (no
        one watched meanwhile: an apply without the manager)."""
        if len(self.changes) >= CACHED_CHANGES:
            self.changes.clear()
            self.changes_after = change.revision - 1
        self.changes.append(change)

    def changes_since(self, revision: int) -> list[Change] | None:
        """The changes after `revision`, if all are kept (None: read the table). Those up to
        `revision` are forgotten: the watcher asks from where it got to."""
        if revision < self.changes_after:
            return None
        changes = self.changes
        start = 0
        while start < len(changes) and changes[start].revision <= revision:
            start += 1
        del changes[:start]
        self.changes_after = revision
        return changes[:]

    def remember(self, key: ObjectKey, row: Row | None) -> None:
        """Keep an object's row, forgetting all others first when the cache is full (the
        recent ones are those read again soon; a clean start is cheaper than an LRU's upkeep)."""
        if len(self.objects) >= CACHED_OBJECTS and key not in self.objects:
            self.objects.clear()
        self.objects[key] = row
