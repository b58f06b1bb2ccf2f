"""The inventory: which objects a source applied, so that prune never has to guess.

`kubectl apply --prune` used to find what to delete by label and got it wrong in both
directions (kubernetes#108161 deleted other namespaces, #40635 could not delete the last object);
Flux's label-based garbage collection deleted objects operators had copied its labels onto
(kustomize-controller#410). Like Flux's `.status.inventory` and kubectl's ApplySet, reconciler
keeps an explicit record per source instead: the store meta entry `inventory/<source id>` holds,
as JSON, the key and uid of every object that source applied. Prune deletes only objects in that
record whose uid still matches, so an object someone else recreated under the same name is not
touched.

A source id names what was applied: for `apply -f PATH…` it is `source_id_for(paths)` (the
absolute, resolved paths, sorted, joined with the OS path separator, `-` for stdin), so
`apply -f manifests/` and `apply -f ./manifests` share one inventory; the GitOps daemon uses the
folder it watches. Called by `api/apply.py`; never deletes anything itself.
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
    """The source's inventory; empty when it never applied anything."""
    text = store.get_meta(META_PREFIX + source_id)
    if not text:
        return Inventory(source_id)
    record = json.loads(text)
    objects = {ObjectKey.parse(key): uid for key, uid in record.get("objects", {}).items()}
    return Inventory(source_id, objects)


def save(store: Store, inventory: Inventory) -> None:
    """Record the inventory (in the caller's transaction, if any)."""
    record = {
        "source": inventory.source_id,
        "objects": {str(key): uid for key, uid in sorted(inventory.objects.items())},
    }
    store.set_meta(META_PREFIX + inventory.source_id, json.dumps(record, sort_keys=True))
