"""Shell completion (typer's) for resource types, object names and namespaces.

Completion runs on every TAB, so it only reads: it opens the store file if there is one, lists
objects, and returns names; it never creates a cluster, never advances time, and answers an
empty list (never an error) when there is no cluster or anything goes wrong.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

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


def _namespace_option(args: Sequence[str]) -> str | None:
    """The namespace the command line names so far (None for -A)."""
    if "-A" in args or "--all-namespaces" in args:
        return None
    for flag, value in itertools.pairwise(args):
        if flag in ("-n", "--namespace"):
            return value
    for arg in args:
        if arg.startswith("--namespace="):
            return arg.partition("=")[2]
    return "default"


VALUE_FLAGS = frozenset(
    [
        "-n",
        "--namespace",
        "-l",
        "--selector",
        "-o",
        "--output",
        "--for",
        "--timeout",
        "--type",
        "--name",
        "--port",
        "--target-port",
        "--replicas",
        "--image",
        "--save",
        "--cascade",
        "--grace-period",
        "--request-timeout",
        "--types",
        "--labels",
        "--generator",
    ]
)
"""Options whose next word is their value, not a positional argument."""


def _positionals(args: Sequence[str]) -> list[str]:
    """The words after the command name that are arguments, not options or their values."""
    words: list[str] = []
    skip = False
    for arg in args[1:]:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = arg in VALUE_FLAGS
        else:
            words.append(arg)
    return words


def complete_resources(args: list[str], incomplete: str) -> list[str]:
    """TYPE first (or TYPE/NAME), then names of that type."""
    namespace = _namespace_option(args)
    if "/" in incomplete:
        kind, _, prefix = incomplete.partition("/")
        names = _names_of(kind, namespace)
        return [f"{kind}/{name}" for name in names if name.startswith(prefix)]
    typed = _positionals(args)
    if not typed:
        return [name for name in type_names() if name.startswith(incomplete)]
    names = _names_of(typed[0].split(",")[-1], namespace)
    return [name for name in names if name.startswith(incomplete)]


def _names_of(type_name: str, namespace: str | None) -> list[str]:
    try:
        kinds = category(type_name) or (resolve(type_name),)
    except ReconcilerError:
        return []
    names: list[str] = []
    for info in kinds:
        names += _object_names(info.kind, namespace if info.namespaced else None)
    return names


def complete_namespaces(incomplete: str) -> list[str]:
    return [name for name in _object_names("Namespace", None) if name.startswith(incomplete)]
