"""Informers: an in-process picture of some kinds, kept current from the store's watch.

Like client-go's shared informers with indexers: one list, then only the changes since (a watch
filtered to the kinds followed, so the pod and event churn of a big cluster is not even decoded),
with named indexes from an index value to the keys of the objects that produce it. A controller
whose watch mapper must answer "which services select this pod?" on every pod change asks an
index instead of listing and decoding every service each time. Following the store rather than
one process's manager means changes written by another process are never missed; when history
has been compacted past it, it lists again.

Read-only: objects it hands out are shared and must not be mutated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from reconciler.errors import Expired
from reconciler.model.keys import Obj, ObjectKey
from reconciler.store.base import EventType, Store

IndexFunc = Callable[[Obj], Iterable[str]]
"""The index values of an object (e.g. `default/app=kubia` for each pair of a selector)."""


@dataclass
class _Index:
    values_of: IndexFunc
    keys: dict[str, set[ObjectKey]] = field(default_factory=dict)
    """Index value → keys of the objects that have it."""
    held: dict[ObjectKey, tuple[str, ...]] = field(default_factory=dict)
    """Key → the values it is filed under, to unfile it on change."""

    def file(self, key: ObjectKey, obj: Obj | None) -> None:
        for value in self.held.pop(key, ()):
            bucket = self.keys[value]
            bucket.discard(key)
            if not bucket:
                del self.keys[value]
        if obj is None:
            return
        values = tuple(dict.fromkeys(self.values_of(obj)))
        if values:
            self.held[key] = values
            for value in values:
                self.keys.setdefault(value, set()).add(key)


class Informer:
    """The objects of some kinds as of the store's latest revision, with indexes."""

    def __init__(self, store: Store, kinds: Iterable[str]) -> None:
        self._store = store
        self._kinds = tuple(kinds)
        self._revision: int | None = None
        self._objects: dict[ObjectKey, Obj] = {}
        self._indexes: dict[str, _Index] = {}

    def add_index(self, name: str, values_of: IndexFunc) -> None:
        """Index the objects by `values_of` from now on (before the first sync)."""
        self._indexes[name] = _Index(values_of)
        for key, obj in self._objects.items():
            self._indexes[name].file(key, obj)

    def sync(self) -> None:
        """Catch up with the store: one cheap query when nothing of ours changed."""
        if self._revision is None:
            self._relist()
            return
        current = self._store.revision()
        if current == self._revision:
            return
        try:
            events = self._store.watch(self._revision, kinds=self._kinds)
        except Expired:
            self._relist()
            return
        for event in events:
            self._put(event.key, None if event.type is EventType.DELETED else event.object)
        self._revision = max(current, events[-1].revision if events else current)

    def get(self, key: ObjectKey) -> Obj | None:
        """The object as last synced (shared: do not mutate)."""
        return self._objects.get(key)

    def by_index(self, name: str, value: str) -> set[ObjectKey]:
        """The keys filed under `value` in index `name` (a copy)."""
        return set(self._indexes[name].keys.get(value, ()))

    def _relist(self) -> None:
        self._revision = self._store.revision()
        self._objects.clear()
        for index in self._indexes.values():
            index.keys.clear()
            index.held.clear()
        for kind in self._kinds:
            for obj in self._store.list(kind):
                self._put(ObjectKey.of(obj), obj)

    def _put(self, key: ObjectKey, obj: Obj | None) -> None:
        if obj is None:
            self._objects.pop(key, None)
        else:
            self._objects[key] = obj
        for index in self._indexes.values():
            index.file(key, obj)
