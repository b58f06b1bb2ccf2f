"""Prune: which objects a source applied before and no longer declares, and deleting them.

Only objects in the source's inventory (`api/inventory.py`) are candidates, and only while they
are still the object the source applied (same uid); an object a controller owns (a pod of a
replication controller, a replica set of a deployment) is never pruned, whatever its labels.
An entry no longer declared whose object is gone, or replaced by one the source did not apply,
is only forgotten.
Because an empty source is more often a mistake (a wrong path, a checkout half done) than a
wish, a prune that would leave the source owning nothing is refused unless forced, as Argo CD's
`allowEmpty` guard does. Called by `api/apply.py` only.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass, field

from reconciler.api.inventory import Inventory
from reconciler.api.metadata import controller_of
from reconciler.api.server import Api
from reconciler.errors import NotFound, Refused
from reconciler.model.keys import Obj, ObjectKey, labels_of
from reconciler.model.kinds import kind_info
from reconciler.model.selectors import Selector

_SHOWN = 5
"""How many objects a refusal names before it says `and N more`."""


@dataclass(frozen=True)
class PrunePlan:
    """What a prune would do: the live objects to delete, and the inventory entries to forget
    (not declared, their object gone or replaced by one the source did not apply)."""

    doomed: list[Obj] = field(default_factory=list)
    stale: list[ObjectKey] = field(default_factory=list)


def plan_prune(
    api: Api,
    owned: Inventory,
    declared: Set[ObjectKey],
    *,
    selector: Selector,
    force: bool,
) -> PrunePlan:
    """Plan to delete the live objects owned, not declared, matching `selector`, not
    controlled.

    Raises `Refused` when, unforced, that would delete every object the source owns (within
    the selector): the source declares nothing, or nothing it owned is still declared.
    """
    doomed: list[Obj] = []
    stale: list[ObjectKey] = []
    in_scope = 0
    for key, uid in owned.objects.items():
        live = api.find(key)
        if live is None or live["metadata"].get("uid") != uid:
            if key not in declared:
                stale.append(key)
            continue
        if controller_of(live):
            continue
        if not selector.matches(labels_of(live)):
            continue
        in_scope += 1
        if key not in declared:
            doomed.append(live)
    if doomed and len(doomed) == in_scope and not force:
        raise Refused(_refusal(doomed, source_empty=not declared))
    return PrunePlan(doomed, stale)


def prune_objects(api: Api, doomed: Sequence[Obj]) -> list[Obj]:
    """Delete the planned objects (dependents cascade as for `delete`); returns those deleted
    (an object gone meanwhile is skipped)."""
    pruned: list[Obj] = []
    for obj in doomed:
        try:
            api.delete(ObjectKey.of(obj))
        except NotFound:
            continue
        pruned.append(obj)
    return pruned


def _refusal(doomed: Sequence[Obj], *, source_empty: bool) -> str:
    names = [f"{kind_info(o['kind']).resource}/{o['metadata']['name']}" for o in doomed]
    shown = ", ".join(names[:_SHOWN])
    if len(names) > _SHOWN:
        shown += f" and {len(names) - _SHOWN} more"
    why = (
        "the source declares no objects"
        if source_empty
        else "none of the objects the source applied before is still declared"
    )
    count = "the only object" if len(names) == 1 else f"all {len(names)} objects"
    return (
        f"refusing to prune: {why}, so pruning would delete {count} it applied before "
        f"({shown}); if that is what you want, pass --force-prune-all"
    )
