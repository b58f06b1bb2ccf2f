"""Label selectors: parse them, build them from objects, and match labels against them.

Three spellings reach here: the `-l` string of kubectl (`app=kubia,tier!=db,env in (a,b),!beta`),
the map selector of ReplicationControllers and Services (`{app: kubia}`), and the apps/v1
`matchLabels` / `matchExpressions` form. All become one `Selector`, a tuple of requirements that
must all hold (an empty selector matches everything, as in Kubernetes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from reconciler.errors import UsageError


class Operator(StrEnum):
    """The requirement operators Kubernetes supports."""

    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"


@dataclass(frozen=True)
class Requirement:
    """One condition on one label key."""

    key: str
    operator: Operator
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.operator is Operator.EXISTS:
            return self.key in labels
        if self.operator is Operator.DOES_NOT_EXIST:
            return self.key not in labels
        if self.operator is Operator.IN:
            return self.key in labels and labels[self.key] in self.values
        return self.key not in labels or labels[self.key] not in self.values

    def __str__(self) -> str:
        values = ",".join(sorted(self.values))
        match self.operator:
            case Operator.EXISTS:
                return self.key
            case Operator.DOES_NOT_EXIST:
                return f"!{self.key}"
            case Operator.IN if len(self.values) == 1:
                return f"{self.key}={values}"
            case Operator.NOT_IN if len(self.values) == 1:
                return f"{self.key}!={values}"
            case Operator.IN:
                return f"{self.key} in ({values})"
            case _:
                return f"{self.key} notin ({values})"


@dataclass(frozen=True)
class Selector:
    """All requirements must hold. `Selector(())` matches everything."""

    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements

    def equalities(self) -> dict[str, str]:
        """The `key=value` requirements, which a store can answer from an index."""
        return {
            r.key: next(iter(r.values))
            for r in self.requirements
            if r.operator is Operator.IN and len(r.values) == 1
        }

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)


EVERYTHING = Selector()


def from_map(labels: Mapping[str, str] | None) -> Selector:
    """The map form used by ReplicationController and Service selectors."""
    return Selector(
        tuple(
            Requirement(k, Operator.IN, frozenset({v})) for k, v in sorted((labels or {}).items())
        )
    )


def from_label_selector(spec: Mapping[str, Any] | None) -> Selector:
    """The apps/v1 form: `matchLabels` plus `matchExpressions`."""
    if not spec:
        return EVERYTHING
    requirements = list(from_map(spec.get("matchLabels")).requirements)
    for expr in spec.get("matchExpressions") or ():
        requirements.append(
            Requirement(
                expr["key"], Operator(expr["operator"]), frozenset(expr.get("values") or ())
            )
        )
    return Selector(tuple(requirements))


def of_workload(obj: Mapping[str, Any]) -> Selector:
    """The selector of an RC (map form) or an RS/Deployment (matchLabels form)."""
    selector = (obj.get("spec") or {}).get("selector")
    if obj.get("kind") in ("ReplicationController", "Service"):
        return from_map(selector)
    return from_label_selector(selector)


_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<notexists>!\s*(?P<nkey>[^\s=!,()]+))"
    r"|(?P<key>[^\s=!,()]+)\s*"
    r"(?:(?P<op>==|=|!=)\s*(?P<value>[^\s,()]*)"
    r"|\s+(?P<setop>in|notin)\s*\((?P<values>[^)]*)\))?"
    r")\s*(?:,|$)"
)


def parse(text: str) -> Selector:
    """Parse kubectl's `-l` syntax; a malformed selector is a `UsageError`."""
    text = text.strip()
    if not text:
        return EVERYTHING
    requirements: list[Requirement] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise UsageError(f"unable to parse requirement: {text[pos:]!r} in selector {text!r}")
        pos = match.end()
        if match["notexists"]:
            requirements.append(Requirement(match["nkey"], Operator.DOES_NOT_EXIST))
        elif match["op"]:
            op = Operator.NOT_IN if match["op"] == "!=" else Operator.IN
            requirements.append(Requirement(match["key"], op, frozenset({match["value"]})))
        elif match["setop"]:
            values = frozenset(v.strip() for v in match["values"].split(",") if v.strip())
            op = Operator.IN if match["setop"] == "in" else Operator.NOT_IN
            requirements.append(Requirement(match["key"], op, values))
        else:
            requirements.append(Requirement(match["key"], Operator.EXISTS))
    return Selector(tuple(requirements))
