"""Field errors worded as the Kubernetes API server words them.

Mirrors apimachinery's `field.Required`, `field.Invalid`, `field.NotSupported`, ...: each helper
returns a `FieldProblem` whose message starts with the field path, e.g.
`spec.replicas: Invalid value: "three": must be an integer`. The schema checks and the rules
build their problems here so that every message has one shape. Pure formatting.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from reconciler.source.diagnostics import FieldProblem
from reconciler.source.document import FieldPath, render_field

_MAX_VALUE = 80


def render_value(value: Any) -> str:
    """A value as Go's `%#v`-ish rendering in API errors: strings quoted, maps as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, int | float):
        text = repr(value)
    else:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 3] + "..."


def render_labels(labels: Any) -> str:
    """A label map as the API server prints one: `map[string]string{"app":"kubia"}`."""
    if not isinstance(labels, dict) or not labels:
        return "map[string]string(nil)"
    pairs = ", ".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in sorted(labels.items()))
    return "map[string]string{" + pairs + "}"


def suggestion(word: str, choices: Iterable[str]) -> str | None:
    """The choice a misspelt word most likely meant, if one is close enough."""
    options = list(choices)
    lowered = {choice.lower(): choice for choice in options}
    if word.lower() in lowered:
        return lowered[word.lower()]
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return close[0] if close else None


def required(field: FieldPath, detail: str = "") -> FieldProblem:
    message = f"{render_field(field)}: Required value"
    return FieldProblem(field, f"{message}: {detail}" if detail else message, at_key=True)


def invalid(field: FieldPath, value: Any, detail: str, *, at_key: bool = False) -> FieldProblem:
    message = f"{render_field(field)}: Invalid value: {render_value(value)}: {detail}"
    return FieldProblem(field, message, at_key=at_key)


def unsupported(field: FieldPath, value: Any, supported: Sequence[str]) -> FieldProblem:
    values = ", ".join(json.dumps(s) for s in supported)
    message = f"{render_field(field)}: Unsupported value: {render_value(value)}"
    message += f": supported values: {values}"
    if isinstance(value, str) and (hint := suggestion(value, supported)) is not None:
        message += f' (did you mean "{hint}"?)'
    return FieldProblem(field, message)


def duplicate(field: FieldPath, value: Any) -> FieldProblem:
    return FieldProblem(field, f"{render_field(field)}: Duplicate value: {render_value(value)}")


def forbidden(field: FieldPath, detail: str) -> FieldProblem:
    return FieldProblem(field, f"{render_field(field)}: Forbidden: {detail}", at_key=True)


def not_found(field: FieldPath, value: Any) -> FieldProblem:
    return FieldProblem(field, f"{render_field(field)}: Not found: {render_value(value)}")


def unknown_field(field: FieldPath, allowed: Iterable[str]) -> FieldProblem:
    """A field the kind does not have: kubectl's strict decoding words it `unknown field "x"`."""
    name = field[-1]
    parent = render_field(field[:-1])
    shown = f"{parent}.{name}" if parent else str(name)  # a struct's field, never a map key
    message = f'unknown field "{shown}"'
    options = set(allowed)
    if isinstance(name, str) and (hint := suggestion(name, options)) is not None:
        message += f', did you mean "{hint}"?'
    elif options == {"matchLabels", "matchExpressions"}:
        message += f"; apps/v1 selectors list labels under matchLabels ({name}: ... goes there)"
    return FieldProblem(field, message, at_key=True)
