"""In-memory backend: the store contract with nothing on disk, for tests and benchmarks.

Objects are kept as JSON text, so every read hands out a fresh copy that callers may mutate, and
a stored object can never be changed behind the store's back.
"""

from __future__ import annotations

import builtins
import heapq
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from reconciler.errors import AlreadyExists, Conflict, Expired, NotFound
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.kinds import BY_KIND
from reconciler.model.selectors import EVERYTHING, Selector
from reconciler.store.base import EventType, WatchEvent

HISTORY = 100_000
"""How many past changes a watch can still replay; older ones are compacted (as etcd does)."""


def not_found(key: ObjectKey) -> NotFound:
    """Kubernetes' wording: `pods "x" not found`."""
    info = BY_KIND.get(key.kind)
    plural = info.plural if info else key.kind.lower()
    return NotFound(f'{plural} "{key.name}" not found')


def already_exists(key: ObjectKey) -> AlreadyExists:
    info = BY_KIND.get(key.kind)
    plural = info.plural if info else key.kind.lower()
    return AlreadyExists(f'{plural} "{key.name}" already exists')


def conflict(key: ObjectKey) -> Conflict:
    info = BY_KIND.get(key.kind)
    plural = info.plural if info else key.kind.lower()
    return Conflict(
        f'Operation cannot be fulfilled on {plural} "{key.name}": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )


class MemoryStore:
    """The store contract in a dict, guarded by one re-entrant lock."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._objects: dict[ObjectKey, str] = {}
        self._revision = 0
        self._history: list[tuple[int, EventType, ObjectKey, str]] = []
        self._timers: dict[str, float] = {}
        self._timer_heap: list[tuple[float, str]] = []
        self._meta: dict[str, str] = {}
        self._undo: list[list[Any]] | None = None

    def revision(self) -> int:
        return self._revision

    def get(self, key: ObjectKey) -> Obj | None:
        text = self._objects.get(key)
        return None if text is None else json.loads(text)

    def list(
        self, kind: str, namespace: str | None = None, selector: Selector = EVERYTHING
    ) -> builtins.list[Obj]:
        with self._lock:
            keys = sorted(
                k for k in self._objects if k.kind == kind and namespace in (None, k.namespace)
            )
            found = [json.loads(self._objects[k]) for k in keys]
        if selector.empty:
            return found
        return [o for o in found if selector.matches(o["metadata"].get("labels"))]

    def create(self, obj: Obj) -> Obj:
        key = ObjectKey.of(obj)
        with self._lock:
            if key in self._objects:
                raise already_exists(key)
            return self._write(EventType.ADDED, key, obj)

    def update(self, obj: Obj) -> Obj:
        key = ObjectKey.of(obj)
        with self._lock:
            current = self._objects.get(key)
            if current is None:
                raise not_found(key)
            expected = obj["metadata"].get("resourceVersion")
            if expected and expected != json.loads(current)["metadata"]["resourceVersion"]:
                raise conflict(key)
            return self._write(EventType.MODIFIED, key, obj)

    def delete(self, key: ObjectKey, *, resource_version: str | None = None) -> Obj:
        with self._lock:
            current = self._objects.get(key)
            if current is None:
                raise not_found(key)
            obj: Obj = json.loads(current)
            if resource_version and resource_version != obj["metadata"]["resourceVersion"]:
                raise conflict(key)
            return self._write(EventType.DELETED, key, obj)

    def _write(self, kind: EventType, key: ObjectKey, obj: Obj) -> Obj:
        self._revision += 1
        obj = json.loads(json.dumps(obj))
        if kind is not EventType.DELETED:
            obj["metadata"]["resourceVersion"] = str(self._revision)
        text = json.dumps(obj, separators=(",", ":"))
        if self._undo is not None:
            self._undo.append(["object", key, self._objects.get(key)])
        if kind is EventType.DELETED:
            del self._objects[key]
        else:
            self._objects[key] = text
        self._history.append((self._revision, kind, key, text))
        if len(self._history) > 2 * HISTORY:
            del self._history[:HISTORY]
        self._changed.notify_all()
        return obj

    def watch(self, from_revision: int) -> builtins.list[WatchEvent]:
        with self._lock:
            if from_revision >= self._revision:
                return []
            oldest = self._history[0][0] if self._history else self._revision + 1
            if from_revision + 1 < oldest:
                raise Expired(f"too old resource version: {from_revision} ({oldest - 1})")
            start = from_revision + 1 - oldest
            return [
                WatchEvent(kind, rev, key, json.loads(text))
                for rev, kind, key, text in self._history[start:]
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

    def _roll_back(self, revision: int, history_length: int) -> None:
        assert self._undo is not None
        for what, name, old in reversed(self._undo):
            tables: dict[str, dict[Any, Any]] = {
                "object": self._objects,
                "meta": self._meta,
                "timer": self._timers,
            }
            table = tables[what]
            if old is None:
                table.pop(name, None)
            else:
                table[name] = old
        self._timer_heap = [(due, name) for name, due in self._timers.items()]
        heapq.heapify(self._timer_heap)
        self._revision = revision
        del self._history[history_length:]

    def set_timer(self, name: str, due: float) -> None:
        with self._lock:
            current = self._timers.get(name)
            if current is not None and current <= due:
                return
            if self._undo is not None:
                self._undo.append(["timer", name, current])
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
                when, name = heapq.heappop(self._timer_heap)
                if self._undo is not None:
                    self._undo.append(["timer", name, when])
                del self._timers[name]
                due.append(name)

    def _drop_stale_timers(self) -> None:
        """Heap entries superseded by an earlier due time for the same name are skipped."""
        heap = self._timer_heap
        while heap and self._timers.get(heap[0][1]) != heap[0][0]:
            heapq.heappop(heap)

    def get_meta(self, name: str) -> str | None:
        return self._meta.get(name)

    def set_meta(self, name: str, value: str) -> None:
        with self._lock:
            if self._undo is not None:
                self._undo.append(["meta", name, self._meta.get(name)])
            self._meta[name] = value

    def close(self) -> None:
        """Nothing to release."""
