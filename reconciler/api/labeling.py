"""`label` and `annotate`: change an object's labels or annotations as kubectl does.

`key=value` sets, `key-` removes. Without overwrite, a label that already has a value is an
error (`'app' already has a value (kubia), and --overwrite is false`), as is an annotation whose
value would change. Only metadata is written (`Api.patch_metadata`), so a label change on a pod
is seen by the controllers (a relabelled pod leaves its replication controller). The result says
what kubectl prints: `labeled`, `not labeled`, `unlabeled` / `annotated`. Called by the CLI.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from reconciler.api.server import Api
from reconciler.errors import UsageError
from reconciler.model.keys import ObjectKey

LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
LABEL_VALUE_MESSAGE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


class Field(StrEnum):
    """Which metadata map a command edits."""

    LABELS = "labels"
    ANNOTATIONS = "annotations"

    @property
    def noun(self) -> str:
        return "label" if self is Field.LABELS else "annotation"


@dataclass(frozen=True)
class Edits:
    """What to set and what to remove."""

    target: Field
    set: dict[str, str] = field(default_factory=dict)
    remove: tuple[str, ...] = ()


def parse_edits(target: Field, specs: Sequence[str]) -> Edits:
    """kubectl's `key=value` / `key-` arguments, with its error messages."""
    values: dict[str, str] = {}
    remove: list[str] = []
    noun = target.noun
    for spec in specs:
        if "=" in spec:
            if target is Field.LABELS:
                parts = spec.split("=")
                if len(parts) != 2:
                    raise UsageError(f"invalid label spec: {spec}")
                if not LABEL_VALUE.match(parts[1]) or len(parts[1]) > 63:
                    raise UsageError(f'invalid label value: "{spec}": {LABEL_VALUE_MESSAGE}')
            else:
                parts = spec.split("=", 1)
                if not parts[0]:
                    raise UsageError(f"invalid annotation spec: {spec}")
            values[parts[0]] = parts[1]
        elif spec.endswith("-"):
            remove.append(spec[:-1])
        else:
            raise UsageError(f"unknown {noun} spec: {spec}")
    if any(key in values for key in remove):
        raise UsageError(f"can not both modify and remove {_article(noun)} in the same command")
    if not values and not remove:
        raise UsageError(f"at least one {noun} update is required")
    return Edits(target, values, tuple(remove))


def _article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


@dataclass(frozen=True)
class Edited:
    """One object's result: kubectl's verb for it, and keys asked to be removed but absent."""

    key: ObjectKey
    verb: str
    missing: tuple[str, ...] = ()


def edit(api: Api, key: ObjectKey, *, edits: Edits, overwrite: bool = False) -> Edited:
    """Apply `edits` to one object's labels or annotations."""
    with api.store.transaction():
        obj = api.get(key)
        current = dict(obj["metadata"].get(str(edits.target)) or {})
        _refuse_overwrites(edits, current, overwrite=overwrite)
        missing = tuple(k for k in edits.remove if k not in current)
        updated = {**current, **edits.set}
        for k in edits.remove:
            updated.pop(k, None)
        if updated != current:
            if updated:
                obj["metadata"][str(edits.target)] = updated
            else:
                obj["metadata"].pop(str(edits.target), None)
            api.patch_metadata(obj)
    return Edited(key, _verb(edits, changed=updated != current, overwrite=overwrite), missing)


def _refuse_overwrites(edits: Edits, current: dict[str, str], *, overwrite: bool) -> None:
    if overwrite:
        return
    if edits.target is Field.LABELS:
        clashes = [k for k in edits.set if k in current]
        if clashes:
            raise UsageError(
                "; ".join(
                    f"'{k}' already has a value ({current[k]}), and --overwrite is false"
                    for k in clashes
                )
            )
        return
    changed = [k for k, v in edits.set.items() if k in current and current[k] != v]
    if changed:
        found = "; ".join(f"'{k}' already has a value ({current[k]})" for k in changed)
        raise UsageError(
            f"--overwrite is false but found the following declared annotation(s): {found}"
        )


def _verb(edits: Edits, *, changed: bool, overwrite: bool) -> str:
    """kubectl's updateDataChangeMsg: `labeled`, `not labeled`, or `unlabeled` when the change
    only removed; annotate always says `annotated`."""
    if edits.target is Field.ANNOTATIONS:
        return "annotated"
    if not changed:
        return "not labeled"
    if not overwrite and not edits.set:
        return "unlabeled"
    return "labeled"
