"""The query parameters of a list or watch request, read as the API server reads them.

`labelSelector` (kubectl's `-l` syntax), `fieldSelector` (`a.b=c,d!=e`, over dotted paths such
as `involvedObject.name` or `spec.nodeName`; a field that is absent reads as ""), `watch`
(`1`/`true`), `resourceVersion` (where a watch starts: changes after it), `timeoutSeconds`
(when a watch ends) and `sendInitialEvents` (a watch that begins with the current objects).
A malformed parameter is a `BadRequest` in the API server's words. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from reconciler.errors import BadRequest, UsageError
from reconciler.model.keys import Obj, labels_of
from reconciler.model.selectors import EVERYTHING, Selector, parse

_FIELD_TERM = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*(==|=|!=)\s*([^,]*?)\s*$")
TRUE = ("1", "true", "True")


@dataclass(frozen=True)
class FieldRequirement:
    """One `path=value` or `path!=value` term."""

    path: tuple[str, ...]
    value: str
    equal: bool

    def matches(self, obj: Obj) -> bool:
        return (field_value(obj, self.path) == self.value) is self.equal


@dataclass(frozen=True)
class FieldSelector:
    """Terms that must all hold."""

    requirements: tuple[FieldRequirement, ...] = ()

    def matches(self, obj: Obj) -> bool:
        return all(requirement.matches(obj) for requirement in self.requirements)


def field_value(obj: Obj, path: tuple[str, ...]) -> str:
    """The field's value as a selector compares it: text, `true`/`false`, "" when absent."""
    value: Any = obj
    for part in path:
        if not isinstance(value, Mapping):
            return ""
        value = value.get(part)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_fields(text: str) -> FieldSelector:
    """`involvedObject.kind=Pod,involvedObject.name=kubia-x`."""
    requirements = []
    for term in filter(None, (part.strip() for part in text.split(","))):
        match = _FIELD_TERM.match(term)
        if match is None:
            raise BadRequest(f'invalid field selector: "{text}": cannot parse "{term}"')
        path, operator, value = match.groups()
        requirements.append(FieldRequirement(tuple(path.split(".")), value, operator != "!="))
    return FieldSelector(tuple(requirements))


@dataclass(frozen=True)
class Query:
    """A list or watch request's parameters."""

    labels: Selector = EVERYTHING
    fields: FieldSelector = field(default_factory=FieldSelector)
    watch: bool = False
    resource_version: int | None = None
    """Where a watch starts (None: from now, after the current objects)."""
    timeout: float | None = None
    send_initial_events: bool = False

    def matches(self, obj: Obj) -> bool:
        """Whether an object passes both selectors."""
        return self.labels.matches(labels_of(obj)) and self.fields.matches(obj)

    def named(self, name: str) -> Query:
        """The same query narrowed to one object: how the API server serves a watch on an
        object's own path (`…/pods/NAME?watch=1`), as `metadata.name=NAME`."""
        only = FieldRequirement(("metadata", "name"), name, equal=True)
        return replace(self, fields=FieldSelector((*self.fields.requirements, only)))


def parse_query(params: Mapping[str, str]) -> Query:
    """Read a request's query parameters."""
    try:
        labels = parse(params.get("labelSelector", ""))
    except UsageError as error:
        raise BadRequest(str(error)) from None
    return Query(
        labels=labels,
        fields=parse_fields(params.get("fieldSelector", "")),
        watch=params.get("watch", "") in TRUE,
        resource_version=_revision(params.get("resourceVersion", "")),
        timeout=_seconds(params.get("timeoutSeconds", "")),
        send_initial_events=params.get("sendInitialEvents", "") in TRUE,
    )


def _revision(text: str) -> int | None:
    """ "" and "0" mean "any": start from now, as the API server reads them for a watch."""
    if text in ("", "0"):
        return None
    if not text.isdigit():
        raise BadRequest(f'resourceVersion: Invalid value: "{text}": must be a number')
    return int(text)


def _seconds(text: str) -> float | None:
    if not text:
        return None
    if not text.isdigit():
        raise BadRequest(f'timeoutSeconds: Invalid value: "{text}": must be a whole number')
    return float(text)
