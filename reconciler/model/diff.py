"""What changed between two versions of an object, as data.

`apply` records, for every object it configures, the changes between the live object and what
apply made of it; `diff`, the daemon's status and drift reports read them. A change names the
field by a readable path (`spec.template.spec.containers[name=kubia].image`): list items with
a merge key (`model/patchmeta.py`) are matched and named by it, so reordering containers or
adding one is not reported as every later item changing. Pure, no I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reconciler.model.keys import Obj
from reconciler.model.patchmeta import Field, fields_of, root_fields

_PLAIN = Field()
_SIMPLE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class Op(StrEnum):
    """What happened to one field."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class Change:
    """One field that differs: its path, and its value before and after (None when absent)."""

    path: str
    op: Op
    old: Any = None
    new: Any = None

    def __str__(self) -> str:
        if self.op is Op.ADDED:
            return f"{self.path}: added {_short(self.new)}"
        if self.op is Op.REMOVED:
            return f"{self.path}: removed (was {_short(self.old)})"
        return f"{self.path}: {_short(self.old)} -> {_short(self.new)}"


def diff(before: Obj | None, after: Obj | None) -> list[Change]:
    """Every field that differs from `before` to `after`, in document order."""
    kind = str((after or before or {}).get("kind") or "")
    changes: list[Change] = []
    _diff_map(before or {}, after or {}, "", root_fields(kind), changes)
    return changes


def _diff_map(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    path: str,
    fields: Mapping[str, Field],
    out: list[Change],
) -> None:
    for key in before:
        if key not in after:
            out.append(Change(_join(path, key), Op.REMOVED, old=before[key]))
    for key, value in after.items():
        where = _join(path, key)
        if key not in before:
            out.append(Change(where, Op.ADDED, new=value))
        else:
            _diff_value(before[key], value, where, fields.get(key, _PLAIN), out)


def _diff_value(before: Any, after: Any, path: str, field: Field, out: list[Change]) -> None:
    if before == after:
        return
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        _diff_map(before, after, path, fields_of(field.type), out)
        return
    if field.merge_key and isinstance(before, list) and isinstance(after, list):
        old_items = _by_key(before, field.merge_key)
        new_items = _by_key(after, field.merge_key)
        if old_items is not None and new_items is not None:
            _diff_items(old_items, new_items, path, field, out)
            return
    out.append(Change(path, Op.CHANGED, old=before, new=after))


def _diff_items(
    before: dict[str, Mapping[str, Any]],
    after: dict[str, Mapping[str, Any]],
    path: str,
    field: Field,
    out: list[Change],
) -> None:
    key = field.merge_key
    for ident, item in before.items():
        if ident not in after:
            out.append(Change(f"{path}[{key}={ident}]", Op.REMOVED, old=item))
    for ident, item in after.items():
        where = f"{path}[{key}={ident}]"
        if ident not in before:
            out.append(Change(where, Op.ADDED, new=item))
        else:
            _diff_map(before[ident], item, where, fields_of(field.type), out)


def _by_key(items: list[Any], key: str) -> dict[str, Mapping[str, Any]] | None:
    """Items indexed by merge key, or None when some item has none (compare lists whole)."""
    indexed: dict[str, Mapping[str, Any]] = {}
    for item in items:
        if not isinstance(item, Mapping) or item.get(key) is None:
            return None
        indexed[str(item[key])] = item
    return indexed if len(indexed) == len(items) else None


def _join(path: str, key: str) -> str:
    if _SIMPLE_KEY.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def _short(value: Any) -> str:
    """A value on one line, cut when long (a whole container is still readable)."""
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return text if len(text) <= 80 else text[:77] + "..."
