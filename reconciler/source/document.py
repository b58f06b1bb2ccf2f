"""A parsed manifest document: the object as a plain dict, plus where each of its values is.

The loader makes `Document`s, the cache keeps them, the validator and later the apply and
round-trip edit commands read them. Positions are looked up by field path, a tuple of keys and
list indexes such as `("spec", "template", "spec", "containers", 0, "image")`; a path the file
does not spell out (a missing field, or content reached through a YAML alias) falls back to the
nearest enclosing one, so every problem can point somewhere sensible.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reconciler.model.keys import Obj

FieldPath = tuple[str | int, ...]
"""Keys and list indexes from the root of an object down to one value."""

Span = tuple[int, int, int, int]
"""Where one value sits: key line, key column, value line, value column (1-based).

For list items and the root, the "key" is the value itself."""

Positions = Mapping[FieldPath, Span]

# Kubernetes prints keys of free-form maps (labels, selectors, resource lists) as `labels[app]`
# and struct fields as `.name`; these are the maps users write in the kinds we support.
MAP_FIELDS = frozenset(
    {
        "labels",
        "annotations",
        "nodeSelector",
        "selector",
        "matchLabels",
        "limits",
        "requests",
        "overhead",
    }
)

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*\Z")


def _is_map_key(parent: str | int | None, step: str) -> bool:
    # `selector` is a map for RCs and Services but a struct (matchLabels...) for apps/v1.
    if parent == "selector" and step in ("matchLabels", "matchExpressions"):
        return False
    return parent in MAP_FIELDS


def render_field(path: Sequence[str | int]) -> str:
    """Kubernetes' notation for a field path: `spec.containers[0].resources.limits[cpu]`."""
    out: list[str] = []
    parent: str | int | None = None
    for step in path:
        if isinstance(step, int) or _is_map_key(parent, step) or not _IDENTIFIER.match(step):
            out.append(f"[{step}]")
        else:
            out.append(f".{step}" if out else step)
        parent = step
    return "".join(out)


@dataclass(frozen=True, slots=True, eq=False)
class Document:
    """One object from one file.

    `index` counts the YAML documents of the file from 0 (empty ones included, as `---`
    separators count them); `item` is the position inside a `kind: List`, None otherwise.
    """

    path: str
    index: int
    obj: Obj
    positions: Positions
    item: int | None = None

    @property
    def line(self) -> int:
        return self.positions.get((), (1, 1, 1, 1))[2]

    @property
    def column(self) -> int:
        return self.positions.get((), (1, 1, 1, 1))[3]

    def locate(self, field: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        """Line and column of a field's value, or of its key with `key=True`.

        A field the file does not contain is reported at the key of its nearest enclosing
        field: a missing `image` points at the container it is missing from.
        """
        path = tuple(field)
        span = self.positions.get(path)
        if span is not None:
            return (span[0], span[1]) if key else (span[2], span[3])
        while path:
            path = path[:-1]
            span = self.positions.get(path)
            if span is not None:
                return span[0], span[1]
        return self.line, self.column
