"""Diagnostics: what is wrong with a manifest, and exactly where.

A `Diagnostic` is plain data (path, line, column, severity, message, object) that the loader and
the validator produce and the CLI prints; nothing here reads files or decides exit codes. The text
form is the one users see, `path:line:col: error: message (kind/name)`, the same shape compilers
and linters use so that editors can jump to the spot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any, NamedTuple


class Severity(StrEnum):
    """How bad a problem is: errors make a folder invalid, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


# NamedTuples, not frozen dataclasses: every command that reads manifests imports this module,
# and defining a frozen dataclass costs about half a millisecond of each start (0.6 ms slotted).


class Diagnostic(NamedTuple):
    """One problem in one place.

    `path` is the file as the user named it ("" for an object that came from no file, in which
    case `line` and `column` are 0; they are also 0 for a problem with the whole file, such as
    a path that does not exist), `field` the offending field in Kubernetes notation
    (`spec.template.spec.containers[0].image`, "" when the problem is not one field's), and
    `object` the object it belongs to as kubectl names it (`replicationcontroller/kubia`).
    """

    path: str
    line: int
    column: int
    severity: Severity
    message: str
    object: str = ""
    field: str = ""

    def __str__(self) -> str:
        if self.path and self.line:
            where = f"{self.path}:{self.line}:{self.column}: "
        else:
            where = f"{self.path}: " if self.path else ""
        suffix = f" ({self.object})" if self.object else ""
        return f"{where}{self.severity}: {self.message}{suffix}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def plain(self) -> tuple[str, int, int, str, str, str, str]:
        """The diagnostic as plain values, for the caches' marshal files (`from_plain` reverses
        it)."""
        severity = str(self.severity)
        return (self.path, self.line, self.column, severity, self.message, self.object, self.field)

    @staticmethod
    def from_plain(plain: Sequence[Any]) -> Diagnostic:
        """A diagnostic from `plain()`'s values (ValueError or TypeError when they are not)."""
        path, line, column, severity, message, obj, field = plain
        return Diagnostic(path, line, column, Severity(severity), message, obj, field)

    def to_json(self) -> dict[str, Any]:
        """The machine form printed by `-o json`."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": str(self.severity),
            "message": self.message,
            "object": self.object,
            "field": self.field,
        }


def error(
    path: str, line: int, column: int, message: str, *, object: str = "", field: str = ""
) -> Diagnostic:
    """Shorthand for the common case."""
    return Diagnostic(path, line, column, Severity.ERROR, message, object, field)


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    """Files in name order, then top to bottom, the order a reader scans them."""
    return (diagnostic.path, diagnostic.line, diagnostic.column, diagnostic.message)


def count_errors(diagnostics: Iterable[Diagnostic]) -> int:
    return sum(1 for d in diagnostics if d.is_error)


class FieldProblem(NamedTuple):
    """A problem found in an object before it is placed in a file: the schema checks and the
    rules report these, and the validator turns them into `Diagnostic`s with line and column.

    `field` is the path of keys and indexes to the offending value; `at_key` asks for the
    position of the key rather than of the value (unknown and missing fields).
    """

    field: tuple[str | int, ...]
    message: str
    at_key: bool = False
    severity: Severity = Severity.ERROR
