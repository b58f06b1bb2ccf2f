"""Fields the simulated cluster accepts but does not act on, and the one warning about them.

Manifests written for a real cluster carry volumes, security contexts, affinity, tolerations,
init containers… The schemas accept them (so the same files work on both), the api stores
them, but nothing in the simulation uses them. Silently ignoring them would mislead a learner,
so apply says it once per run, in one line, the way kubectl prints its `Warning:` lines.
Called by `api/apply.py`; pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reconciler.model.keys import Obj

POD_FIELDS = (
    "initContainers",
    "volumes",
    "securityContext",
    "affinity",
    "tolerations",
    "topologySpreadConstraints",
)
CONTAINER_FIELDS = ("volumeMounts", "securityContext")
_SHOWN = 3


def inert_fields(obj: Obj) -> set[str]:
    """The inert fields an object's pod spec (its own or its template's) sets, non-empty."""
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    if obj.get("kind") != "Pod":
        template = spec.get("template") if isinstance(spec, dict) else None
        spec = template.get("spec") if isinstance(template, dict) else None
    if not isinstance(spec, dict):
        return set()
    found = {name for name in POD_FIELDS if _set(spec.get(name))}
    for container in spec.get("containers") or ():
        if isinstance(container, dict):
            found.update(name for name in CONTAINER_FIELDS if _set(container.get(name)))
    return found


def inert_fields_warning(objects: Iterable[tuple[Obj, str]]) -> str | None:
    """One line naming the inert fields set across `(object, "kind/name")` pairs, or None."""
    fields: set[str] = set()
    where: list[str] = []
    for obj, name in objects:
        found = inert_fields(obj)
        if found:
            fields |= found
            where.append(name)
    if not fields:
        return None
    shown = ", ".join(where[:_SHOWN])
    if len(where) > _SHOWN:
        shown += f" and {len(where) - _SHOWN} more"
    return (
        f"the simulated cluster accepts but does not act on {', '.join(sorted(fields))} "
        f"(set in {shown})"
    )


def _set(value: Any) -> bool:
    return value not in (None, {}, [])
