"""In-memory backend: the store contract with nothing on disk, for tests and benchmarks.

Objects are kept as JSON text, so every read hands out a fresh copy that callers may mutate, and
a stored object can never be changed behind the store's back. Objects are grouped by kind, keep
their labels beside the text, and are indexed by label, so a list by `app=x` touches only the
matching objects and decodes only those it returns.
"""

from __future__ import annotations

import builtins
import functools
import heapq
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.selectors import EVERYTHING, Selector
from reconciler.store.base import EventType, WatchEvent
from reconciler.store.codec import decode
from reconciler.store.records import (
    HISTORY,
    already_exists,
    conflict,
    decode_all,
    expired,
    not_found,
    stamped,
)


class _Record(NamedTuple):
    """One stored object: its modification revision, its labels, its text."""

    revision: int
    labels: dict[str, str]
    text: str


class MemoryStore:
    """The store contract in dicts, guarded by one re-entrant lock."""

    def __init__(self, *, history: int = HISTORY) -> None:
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._kinds: dict[str, dict[ObjectKey, _Record]] = {}
        # per kind: the keys of the objects carrying each (label key, value)
        self._by_label: dict[str, dict[tuple[str, str], set[ObjectKey]]] = {}
        self._revision = 0
        self._history_limit = history
        self._history: list[tuple[int, EventType, ObjectKey, str]] = []
        self._timers: dict[str, float] = {}
        self._timer_heap: list[tuple[float, str]] = []
        self._meta: dict[str, str] = {}
        # while a transaction runs: how to put back each entry it changed, oldest first
        self._undo: list[Callable[[], None]] | None = None

    def revision(self) -> int:
        with self._lock:
            return self._revision

    def get(self, key: ObjectKey) -> Obj | None:
        with self._lock:
            record = self._kinds.get(key.kind, {}).get(key)
        return None if record is None else decode(record.text)

    def exists(self, key: ObjectKey) -> bool:
        with self._lock:
            return key in self._kinds.get(key.kind, {})

    def list(
        self, kind: str, namespace: str | None = None, selector: Selector = EVERYTHING
    ) -> builtins.list[Obj]:
        with self._lock:
            objects = self._kinds.get(kind, {})
            keys: Iterable[ObjectKey] = objects
            equalities = selector.equalities()
            if equalities:
                index = self._by_label.get(kind, {})
                holders = [index.get(item, set()) for item in equalities.items()]
                smallest: set[ObjectKey] = min(holders, key=len)
                keys = smallest
            found = sorted(
                (key, objects[key].text)
                for key in keys
                if namespace in (None, key.namespace) and selector.matches(objects[key].labels)
            )
        return decode_all(text for _, text in found)

    def create(self, obj: Obj) -> Obj:
        key = ObjectKey.of(obj)
        with self._lock:
            if key in self._kinds.get(key.kind, {}):
                raise already_exists(key)
            return self._write(EventType.ADDED, key, obj)

    def update(self, obj: Obj) -> Obj:
        key = ObjectKey.of(obj)
        with self._lock:
            current = self._kinds.get(key.kind, {}).get(key)
            if current is None:
                raise not_found(key)
            expected = (obj.get("metadata") or {}).get("resourceVersion")
            if expected and expected != str(current.revision):
                raise conflict(key)
            return self._write(EventType.MODIFIED, key, obj)

    def delete(self, key: ObjectKey, *, resource_version: str | None = None) -> Obj:
        with self._lock:
            current = self._kinds.get(key.kind, {}).get(key)
            if current is None:
                raise not_found(key)
            if resource_version and resource_version != str(current.revision):
                raise conflict(key)
            return self._write(EventType.DELETED, key, decode(current.text))

    def _write(self, change: EventType, key: ObjectKey, obj: Obj) -> Obj:
        revision = self._revision + 1
        stored, text = stamped(obj, revision)
        old = self._kinds.get(key.kind, {}).get(key)
        if self._undo is not None:
            self._undo.append(lambda: self._place(key, old))
        if change is EventType.DELETED:
            self._place(key, None)
        else:
            labels = (stored["metadata"].get("labels") or {}).copy()
            self._place(key, _Record(revision, labels, text))
        self._revision = revision
        self._history.append((revision, change, key, text))
        if self._undo is None:
            self._compact()
        self._changed.notify_all()
        return stored

    def _place(self, key: ObjectKey, record: _Record | None) -> None:
        """Store or remove one object, keeping the label index in step."""
        objects = self._kinds.setdefault(key.kind, {})
        index = self._by_label.setdefault(key.kind, {})
        old = objects.pop(key, None)
        if old is not None:
            for item in old.labels.items():
                holders = index[item]
                holders.discard(key)
                if not holders:
                    del index[item]
        if record is not None:
            objects[key] = record
            for item in record.labels.items():
                index.setdefault(item, set()).add(key)

    def _compact(self) -> None:
        """Keep the newest changes once twice as many piled up; never inside a transaction,
        whose rollback relies on the history's length."""
        if len(self._history) > 2 * self._history_limit:
            del self._history[: -self._history_limit]

    def watch(
        self,
        from_revision: int,
        *,
        kinds: Collection[str] | None = None,
        upto: int | None = None,
    ) -> builtins.list[WatchEvent]:
        with self._lock:
            if from_revision >= self._revision:
                return []
            oldest = self._history[0][0]
            if from_revision + 1 < oldest:
                raise expired(from_revision, oldest)
            start = from_revision + 1 - oldest
            end = None if upto is None else max(start, upto + 1 - oldest)
            changes = self._history[start:end]
        if kinds is not None:
            wanted = frozenset(kinds)
            changes = [change for change in changes if change[2].kind in wanted]
        objects = decode_all(text for *_, text in changes)
        return [
            WatchEvent(change, revision, key, obj)
            for (revision, change, key, _), obj in zip(changes, objects, strict=True)
        ]

    def wait(self, revision: int, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._revision > revision, timeout)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            if self._undo is not None:  # nested: the outer transaction decides
                yield
                return
            self._undo = []
            saved = (self._revision, len(self._history))
            try:
                yield
            except BaseException:
                self._roll_back(*saved)
                raise
            finally:
                self._undo = None
            self._compact()

    def _remember(self, table: dict[str, Any], name: str) -> None:
        """Note a meta or timer entry's value before a write, for a rollback to put it back."""
        if self._undo is not None:
            self._undo.append(functools.partial(_restore, table, name, table.get(name)))

    def _roll_back(self, revision: int, history_length: int) -> None:
        assert self._undo is not None
        for undo in reversed(self._undo):
            undo()
        self._timer_heap = [(due, name) for name, due in self._timers.items()]
        heapq.heapify(self._timer_heap)
        self._revision = revision
        del self._history[history_length:]

    def set_timer(self, name: str, due: float) -> None:
        with self._lock:
            current = self._timers.get(name)
            if current is not None and current <= due:
                return
            self._remember(self._timers, name)
            self._timers[name] = due
            heapq.heappush(self._timer_heap, (due, name))

    def next_due(self) -> float | None:
        with self._lock:
            self._drop_stale_timers()
            return self._timer_heap[0][0] if self._timer_heap else None

    def pop_due(self, until: float) -> builtins.list[str]:
        with self._lock:
            due: list[str] = []
            while True:
                self._drop_stale_timers()
                if not self._timer_heap or self._timer_heap[0][0] > until:
                    return due
                _, name = heapq.heappop(self._timer_heap)
                self._remember(self._timers, name)
                del self._timers[name]
                due.append(name)

    def _drop_stale_timers(self) -> None:
        """Heap entries superseded by an earlier due time for the same name are skipped."""
        heap = self._timer_heap
        while heap and self._timers.get(heap[0][1]) != heap[0][0]:
            heapq.heappop(heap)

    def get_meta(self, name: str) -> str | None:
        with self._lock:
            return self._meta.get(name)

    def set_meta(self, name: str, value: str) -> None:
        with self._lock:
            self._remember(self._meta, name)
            self._meta[name] = value

    def meta_items(self, prefix: str) -> dict[str, str]:
        # A scan of every entry: fine for the small stores this backend serves (tests, dry
        # runs), where keeping a sorted index would cost more than it saves.
        with self._lock:
            return {
                name: value
                for name, value in sorted(self._meta.items())
                if value and name.startswith(prefix)
            }

    def close(self) -> None:
        """Nothing to release."""


def _restore(table: dict[str, Any], name: str, old: Any) -> None:
    if old is None:
        table.pop(name, None)
    else:
        table[name] = old
