"""Shell completion (typer's) for resource types, object names and namespaces.

Completion runs on every TAB, so it only reads: it opens the store file if there is one, lists
objects, and returns names; it never creates a cluster, never advances time, and answers an
empty list (never an error) when there is no cluster or anything goes wrong.
"""

from __future__ import annotations

import typer

from reconciler.errors import ReconcilerError
from reconciler.model.kinds import KINDS, category, resolve
from reconciler.store.open import open_store
from reconciler.store.paths import default_db_path

CATEGORIES = ("all",)


def type_names() -> list[str]:
    """Every spelling a user is likely to type: plural, singular and short names."""
    names: set[str] = set(CATEGORIES)
    for info in KINDS:
        names.update((info.plural, info.singular, *info.short_names))
    return sorted(names)


def _object_names(kind: str, namespace: str | None) -> list[str]:
    path = default_db_path()
    if not path.exists():
        return []
    try:
        store = open_store(path)
    except (ReconcilerError, OSError):
        return []
    try:
        return [obj["metadata"]["name"] for obj in store.list(kind, namespace)]
    except (ReconcilerError, OSError, KeyError):
        return []
    finally:
        store.close()


def _names_of(type_name: str, namespace: str | None) -> list[str]:
    try:
        kinds = category(type_name) or (resolve(type_name),)
    except ReconcilerError:
        return []
    names: list[str] = []
    for info in kinds:
        names += _object_names(info.kind, namespace if info.namespaced else None)
    return names


def complete_resources(ctx: typer.Context, incomplete: str) -> list[str]:
    """TYPE first (or TYPE/NAME), then names of that type, in the namespace the command line
    names so far (typer hands over what it parsed so far in `ctx.params`)."""
    params = ctx.params
    namespace = None if params.get("all_namespaces") else params.get("namespace") or "default"
    if "/" in incomplete:
        kind, _, prefix = incomplete.partition("/")
        names = _names_of(kind, namespace)
        return [f"{kind}/{name}" for name in names if name.startswith(prefix)]
    typed = [
        word
        for word in params.get("resources") or params.get("args") or ()
        if "=" not in word and not word.endswith("-") and word != incomplete
    ]
    if not typed:
        return [name for name in type_names() if name.startswith(incomplete)]
    names = _names_of(typed[0].split(",")[-1], namespace)
    return [name for name in names if name.startswith(incomplete)]


def complete_namespaces(incomplete: str) -> list[str]:
    return [name for name in _object_names("Namespace", None) if name.startswith(incomplete)]
