"""The controller contract, after controller-runtime's pkg/reconcile.

A controller names the kinds it watches and, for each, how a changed object maps to the keys it
must reconcile; the manager (runtime/manager.py) feeds those keys through a work queue to
`reconcile(key)`, which re-reads desired and actual state and converges. Reconcilers are
level-triggered and idempotent: they never ask whether a change was a create or an update, and
calling one twice changes nothing the second time. Time-based work (a container that finishes
starting in 2 s) is asked for with `Result(requeue_after=…)`; the manager keeps that timer in the
store so any process that opens the cluster later runs it when due. A controller that keeps
caches fed by the store's watch (informers) may also be an `Observer`: the manager then hands it
the changes it decoded for the key mappers, so that each change is decoded once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from reconciler.api.informer import Changes
from reconciler.api.metadata import controller_of
from reconciler.model.keys import Obj, ObjectKey

KeyMapper = Callable[[Obj], Iterable[ObjectKey]]
"""From a changed object to the keys a controller must look at again."""


@dataclass(frozen=True)
class Result:
    """What a reconcile asks of the manager: nothing, or to run again after some seconds."""

    requeue_after: float | None = None


DONE = Result()


class Controller(Protocol):
    """One control loop."""

    name: str
    """Unique, stable (it names the controller's timers in the store)."""

    def watches(self) -> Mapping[str, KeyMapper]:
        """Kind → how a change to an object of that kind maps to keys to reconcile."""
        ...

    def reconcile(self, key: ObjectKey) -> Result:
        """Converge the object named by `key` (which may no longer exist)."""
        ...


@runtime_checkable
class Observer(Protocol):
    """A controller whose caches follow the store and can be fed the manager's changes."""

    def follows(self) -> Collection[str]:
        """The kinds its caches follow (the manager reads their changes too)."""
        ...

    def observe(self, changes: Changes) -> None:
        """Catch up with `changes` (every change of the kinds it follows, in one span of
        revisions), before any key mapper sees them; ignore them when they do not follow on
        from what the caches have seen (their next read of the store catches up instead). When
        the manager itself missed changes (history compacted past its checkpoint) it hands an
        empty span starting at the store's revision: nothing follows on from it."""
        ...


def itself(obj: Obj) -> Iterable[ObjectKey]:
    """The changed object is the one to reconcile."""
    yield ObjectKey.of(obj)


def controller_owner(kind: str) -> KeyMapper:
    """The object's controlling owner of `kind` (a pod → its ReplicationController)."""

    def mapper(obj: Obj) -> Iterable[ObjectKey]:
        ref = controller_of(obj)
        if ref is not None and ref.get("kind") == kind:
            yield ObjectKey(kind, obj["metadata"].get("namespace", ""), ref["name"])

    return mapper
