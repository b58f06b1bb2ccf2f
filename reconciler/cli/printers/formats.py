"""`-o yaml|json|name|wide`: how `get` (and the imperative verbs) print objects.

YAML and JSON are what kubectl prints: one object when exactly one was named, otherwise a
`List` (`apiVersion: v1, items: [...], kind: List, metadata: {resourceVersion: ""}`); JSON with
Go's four-space indent, sorted keys and HTML-safe escapes. `name` prints `pod/kubia-x`.
Tables live in `table.py`. Pure text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from enum import StrEnum

from reconciler.errors import UsageError
from reconciler.model.keys import Obj
from reconciler.model.kinds import kind_info
from reconciler.source.dump import to_yaml


class Output(StrEnum):
    """The `-o` values; TABLE is the default (no `-o`)."""

    TABLE = ""
    WIDE = "wide"
    YAML = "yaml"
    JSON = "json"
    NAME = "name"


def parse_output(value: str | None) -> Output:
    """The `-o` flag; kubectl's error for anything else."""
    try:
        return Output(value or "")
    except ValueError:
        allowed = ", ".join(o.value for o in Output if o.value)
        raise UsageError(
            f'unable to match a printer suitable for the output format "{value}", '
            f"allowed formats are: {allowed}"
        ) from None


def as_document(objs: Sequence[Obj], *, single: bool) -> Obj:
    """The object itself when exactly one was asked for by name, else a v1 List."""
    if single and len(objs) == 1:
        return objs[0]
    return {
        "apiVersion": "v1",
        "items": list(objs),
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }


def to_json(obj: Obj) -> str:
    """json.MarshalIndent with four spaces, as kubectl prints (Go escapes <, > and &)."""
    text = json.dumps(obj, indent=4, sort_keys=True, ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text + "\n"


def name_of(obj: Obj) -> str:
    """`pod/kubia-x`, `deployment.apps/kubia`."""
    return f"{kind_info(obj['kind']).resource}/{obj['metadata']['name']}"


def render_objects(objs: Sequence[Obj], output: Output, *, single: bool) -> str:
    """YAML, JSON or names for `objs` (not for tables)."""
    if output is Output.NAME:
        return "".join(name_of(obj) + "\n" for obj in objs)
    document = as_document(objs, single=single)
    if output is Output.JSON:
        return to_json(document)
    if output is Output.YAML:
        return to_yaml(document)
    raise ValueError(f"{output!r} is a table format")
