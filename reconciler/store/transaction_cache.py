"""The SQLite store's read cache for one write transaction (see TransactionCache).

Only store/sqlite.py uses it; it holds rows as that module reads and writes them and never
touches the database itself.
"""

from __future__ import annotations

from typing import NamedTuple

from reconciler.model.keys import ObjectKey

CACHED_OBJECTS = 10_000
"""Most objects a write transaction keeps at once in its read cache (about 30 MB of pods)."""


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
    would cost more than a gigabyte)."""

    def __init__(self) -> None:
        self.objects: dict[ObjectKey, Row | None] = {}
        """None: known absent."""
        self.meta: dict[str, str | None] = {}
        self.compacted: int | None = None

    def remember(self, key: ObjectKey, row: Row | None) -> None:
        """Keep an object's row, forgetting all others first when the cache is full (the
        recent ones are those read again soon; a clean start is cheaper than an LRU's upkeep)."""
        if len(self.objects) >= CACHED_OBJECTS and key not in self.objects:
            self.objects.clear()
        self.objects[key] = row
