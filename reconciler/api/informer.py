"""Informers: an in-process picture of some kinds, kept current from the store's watch.

Like client-go's shared informers with indexers: one list, then only the changes since (a watch
filtered to the kinds followed, so the pod and event churn of a big cluster is not even decoded),
with named indexes from an index value to the keys of the objects that produce it. A controller
whose watch mapper must answer "which services select this pod?" on every pod change asks an
index instead of listing and decoding every service each time. Following the store rather than
one process's manager means changes written by another process are never missed; when history
has been compacted past it, it lists again. The manager may also hand it the changes it has
decoded anyway (`observe`), so that a busy instant decodes each change once, not once per cache.
A `transform` keeps only what its controller reads (client-go's TransformFunc), so an informer of
every pod of a big cluster does not hold every pod whole.

Read-only: objects it hands out are shared and must not be mutated.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from reconciler.errors import Expired
from reconciler.model.keys import Obj, ObjectKey
from reconciler.store.base import EventType, Store, WatchEvent

IndexFunc = Callable[[Obj], Iterable[str]]
"""The index values of an object (e.g. `default/app=kubia` for each pair of a selector)."""
Transform = Callable[[Obj], Obj]
"""What of an object a cache keeps (it may return the object itself)."""

_NONE: AbstractSet[ObjectKey] = frozenset()


@dataclass(frozen=True)
class Changes:
    """Every change of `kinds` with a revision in (after, upto], oldest first, as one reader
    decoded them for others (see `follows`). The objects are shared: never mutate them."""

    after: int
    upto: int
    kinds: frozenset[str]
    events: Sequence[WatchEvent]

    def follows(self, revision: int, kinds: Collection[str]) -> bool:
        """Whether a cache of `kinds` that has seen everything up to `revision` can catch up
        with these changes alone: they cover its kinds and leave no gap after its revision
        (a cache that lags behind `after` must read the store itself)."""
        return self.after <= revision and self.kinds.issuperset(kinds)


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

    def __init__(
        self, store: Store, kinds: Iterable[str], *, transform: Transform | None = None
    ) -> None:
        self._store = store
        self._kinds = tuple(kinds)
        self._transform = transform
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
        self._apply(events)
        self._revision = max(current, events[-1].revision if events else current)

    def observe(self, changes: Changes) -> None:
        """Catch up from changes another reader decoded, when they follow on from what this
        informer has seen; otherwise leave it to `sync`, which reads the store."""
        seen = self._revision
        if seen is None or not changes.follows(seen, self._kinds):
            return  # never listed, or behind: its next sync reads the store
        self._apply(e for e in changes.events if e.revision > seen and e.key.kind in self._kinds)
        self._revision = max(seen, changes.upto)

    def _apply(self, events: Iterable[WatchEvent]) -> None:
        for event in events:
            self._put(event.key, None if event.type is EventType.DELETED else event.object)

    def get(self, key: ObjectKey) -> Obj | None:
        """The object as last synced (shared: do not mutate)."""
        return self._objects.get(key)

    def by_index(self, name: str, value: str) -> AbstractSet[ObjectKey]:
        """The keys filed under `value` in index `name`: shared, not a copy (a busy instant
        asks on every pod change), so read it before the next sync or observe changes it."""
        return self._indexes[name].keys.get(value, _NONE)

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
            obj = obj if self._transform is None else self._transform(obj)
            self._objects[key] = obj
        for index in self._indexes.values():
            index.file(key, obj)
