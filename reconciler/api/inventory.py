"""The inventory: which objects a source applied, so that prune never has to guess.

`kubectl apply --prune` used to find what to delete by label and got it wrong in both
directions (kubernetes#108161 deleted other namespaces, #40635 could not delete the last object);
Flux's label-based garbage collection deleted objects operators had copied its labels onto
(kustomize-controller#410). Like Flux's `.status.inventory` and kubectl's ApplySet, reconciler
keeps an explicit record per source instead: one store meta entry per object that source applied,
`inventory/<length of the source id>:<source id>/<object key>` → its uid (the length keeps one
source's entries apart from those of a source whose id extends it, `/a` and `/a/b`). Prune deletes
only objects in that record whose uid still matches, so an object someone else recreated under
the same name is not touched; readers check the uid, so an entry whose object went away is
harmless, and prune forgets it once no file declares the object. One entry per object keeps an
apply's bookkeeping proportional to what it applied, whatever the size of the source.

Files written before this layout kept one JSON value per source (`inventory/<source id>`); it is
moved into per-object entries the first time the source's inventory is read or written.

A source id names what was applied: for `apply -f PATH…` it is `source_id_for(paths)` (the
absolute, resolved paths, sorted, joined with the OS path separator, `-` for stdin), so
`apply -f manifests/` and `apply -f ./manifests` share one inventory; the GitOps daemon uses the
folder it watches. Called by `api/apply.py`, the daemon's sync and `status`; never deletes
anything itself.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.model.keys import ObjectKey
from reconciler.store.base import Store

META_PREFIX = "inventory/"
STDIN = "-"


@dataclass(frozen=True)
class Inventory:
    """The objects one source applied: key → uid at the time it applied them."""

    source_id: str
    objects: Mapping[ObjectKey, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.objects)

    def keys(self) -> list[ObjectKey]:
        return list(self.objects)


def source_id_for(paths: Iterable[str | os.PathLike[str]]) -> str:
    """The source id of `apply -f PATH…`: resolved absolute paths, sorted and de-duplicated,
    joined with `os.pathsep`; `-` (stdin) stays `-`."""
    resolved = {
        STDIN if str(path) == STDIN else str(Path(path).expanduser().resolve()) for path in paths
    }
    return os.pathsep.join(sorted(resolved))


def load(store: Store, source_id: str) -> Inventory:
    """The source's whole inventory (empty when it never applied anything), in one range read:
    for prune and status, which look at every object; an apply of some files never needs it."""
    prefix = _migrated(store, source_id)
    objects = {
        ObjectKey.parse(name[len(prefix) :]): uid for name, uid in store.meta_items(prefix).items()
    }
    return Inventory(source_id, objects)


def uid_of(store: Store, source_id: str, key: ObjectKey) -> str | None:
    """The uid the source applied `key` with, or None when it is not in the inventory."""
    return store.get_meta(_migrated(store, source_id) + str(key)) or None


def record(
    store: Store,
    source_id: str,
    *,
    applied: Mapping[ObjectKey, str],
    removed: Iterable[ObjectKey] = (),
) -> None:
    """Note objects the source applied (key → uid) and forget removed ones, in one transaction
    (the caller's, if any): a write per change, none for the rest of the inventory."""
    with store.transaction():
        prefix = _migrated(store, source_id)
        for key in removed:
            store.set_meta(prefix + str(key), "")
        for key, uid in applied.items():
            store.set_meta(prefix + str(key), uid)


def _prefix(source_id: str) -> str:
    return f"{META_PREFIX}{len(source_id)}:{source_id}/"


def _migrated(store: Store, source_id: str) -> str:
    """The prefix of the source's entries, once a whole-source value of an older file (its key
    never begins with a digit, as a source id is an absolute path or `-`) is moved into them.
    An entry already written in the new layout wins over the old value's (an empty one counts as
    none, as everywhere in meta)."""
    prefix, legacy = _prefix(source_id), META_PREFIX + source_id
    text = store.get_meta(legacy)
    if not text:
        return prefix
    try:
        objects = json.loads(text).get("objects", {})
    except (ValueError, AttributeError):  # unreadable: nothing can be recovered from it
        objects = {}
    with store.transaction():
        for key, uid in objects.items():
            if not store.get_meta(prefix + key):
                store.set_meta(prefix + key, uid)
        store.set_meta(legacy, "")
    return prefix
