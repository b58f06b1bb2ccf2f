"""The store contract: what every backend (memory, SQLite, later etcd) promises.

It is etcd's contract, cut to what the api needs: one global revision that grows by one with every
write; each object carries the revision of its last write as `metadata.resourceVersion` (a string,
as in Kubernetes); updates and deletes compare-and-swap on it; `watch(from_revision)` returns every
change after a revision, in order. On top of that, two small things the simulation needs to live
in the same atomic, shared place: timers (when something is next due) and metadata values.

Only the api writes objects; controllers, the CLI and the daemon go through the api.
The store does not default, validate or interpret objects beyond kind, namespace, name and labels.
"""

from __future__ import annotations

import builtins
from collections.abc import Collection
from contextlib import AbstractContextManager
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.selectors import EVERYTHING, Selector


class EventType(StrEnum):
    """Watch event types, spelled as the Kubernetes watch API spells them."""

    ADDED = "ADDED"
    MODIFIED = "MODIFIED"
    DELETED = "DELETED"


@dataclass(frozen=True)
class WatchEvent:
    """One change: the object after it. For DELETED, the last state before it, with its
    resourceVersion set to the deletion's revision (as the Kubernetes watch sends it)."""

    type: EventType
    revision: int
    key: ObjectKey
    object: Obj


class Store(Protocol):
    """An etcd-like, revisioned, watchable object store."""

    def revision(self) -> int:
        """The global revision: the number of writes ever made (0 when empty)."""
        ...

    def get(self, key: ObjectKey) -> Obj | None:
        """A copy of the object, or None. Callers may mutate what they get."""
        ...

    def exists(self, key: ObjectKey) -> bool:
        """Whether the object is there: `get` without decoding it (the api checks a new
        object's namespace on every create)."""
        ...

    def list(
        self, kind: str, namespace: str | None = None, selector: Selector = EVERYTHING
    ) -> builtins.list[Obj]:
        """Copies of the objects of a kind, in one namespace (None: all), matching the selector,
        ordered by namespace then name."""
        ...

    def create(self, obj: Obj) -> Obj:
        """Store a new object and return it with its resourceVersion set: a new top-level
        dict and metadata whose other values are `obj`'s own (what is stored is text, so
        neither can change it). Raises AlreadyExists when the key is taken."""
        ...

    def update(self, obj: Obj) -> Obj:
        """Replace an object and return it as `create` does. When `metadata.resourceVersion`
        is set it must equal the stored one (compare-and-swap), else Conflict. Raises NotFound
        when absent."""
        ...

    def delete(self, key: ObjectKey, *, resource_version: str | None = None) -> Obj:
        """Remove an object and return its last state (resourceVersion: the deletion's revision,
        as its DELETED watch event); compare-and-swap when resource_version is given.
        Raises NotFound when absent."""
        ...

    def watch(
        self,
        from_revision: int,
        *,
        kinds: Collection[str] | None = None,
        upto: int | None = None,
    ) -> builtins.list[WatchEvent]:
        """Every change with revision > from_revision, oldest first, without blocking; with
        `kinds`, only the changes to objects of those kinds (the others are not even decoded,
        which matters when most changes are Events nobody watches); with `upto`, only those
        up to that revision (a reader far behind catches up in bounded steps). Raises Expired
        when history that old has been compacted away."""
        ...

    def wait(self, revision: int, timeout: float) -> bool:
        """Block (in real time) until the revision passes `revision` or `timeout` seconds pass;
        True when it passed. For the daemon and the dashboard, never for the simulation."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """Group writes: all of them happen or none; other writers (threads or processes) wait.
        Nestable: an inner transaction joins the outer one, which alone commits or rolls back.
        A write refused inside (AlreadyExists, Conflict…) changes nothing, so the caller may
        catch it and go on."""
        ...

    def set_timer(self, name: str, due: float) -> None:
        """Ask for `name` to be due at `due`; an earlier request for the same name wins."""
        ...

    def next_due(self) -> float | None:
        """The earliest due time of any timer, in O(1) or O(log n)."""
        ...

    def pop_due(self, until: float) -> builtins.list[str]:
        """Remove and return the names of the timers due at or before `until`, earliest first."""
        ...

    def get_meta(self, name: str) -> str | None:
        """A small named value kept beside the objects (settings, checkpoints)."""
        ...

    def set_meta(self, name: str, value: str) -> None:
        """Set a named value; it takes part in the enclosing transaction."""
        ...

    def meta_items(self, prefix: str) -> dict[str, str]:
        """Every meta entry whose name starts with `prefix` and whose value is not empty (an
        empty value is how callers clear an entry), by name; in O(matches) plus a lookup, so
        that a family of entries under one prefix can be read without a scan of all meta."""
        ...

    def close(self) -> None:
        """Release files and locks."""
        ...
