"""The one exception tree of reconciler.

Every error a user can cause is a `ReconcilerError`; adapters around third-party libraries
re-raise their errors as one of these, and only `cli/` turns them into a message and an exit code.
Anything else escaping to the CLI is a bug and may show a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class ReconcilerError(Exception):
    """Root of every error reconciler raises on purpose."""

    exit_code = 1


@dataclass(frozen=True)
class Position:
    """Where in which file something is: 1-based line and column, as editors count."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class ManifestError(ReconcilerError):
    """A manifest file cannot be read, parsed or validated; carries where."""

    def __init__(self, message: str, position: Position) -> None:
        super().__init__(f"{position}: {message}")
        self.message = message
        self.position = position


class ApiError(ReconcilerError):
    """An error answered by the api, shaped like the Kubernetes API server's `Status` errors."""

    reason = "InternalError"

    def __str__(self) -> str:
        return f"Error from server ({self.reason}): {self.args[0] if self.args else ''}"


class NotFound(ApiError):
    """The object does not exist: `pods "x" not found`."""

    reason = "NotFound"


class AlreadyExists(ApiError):
    """An object with that name exists already: `pods "x" already exists`."""

    reason = "AlreadyExists"


class Conflict(ApiError):
    """A write was based on a stale resourceVersion (optimistic concurrency)."""

    reason = "Conflict"


class Invalid(ApiError):
    """The object breaks a rule: `Pod "x" is invalid: spec.containers: Required value`."""

    reason = "Invalid"


class Forbidden(ApiError):
    """The write is refused by admission, e.g. into a namespace that does not exist."""

    reason = "Forbidden"


class BadRequest(ApiError):
    """The request cannot be served as asked: `container "x" … is waiting to start`."""

    reason = "BadRequest"


class Expired(ApiError):
    """A watch asked for a revision that has been compacted away (HTTP 410 Gone); relist."""

    reason = "Expired"


class Refused(ReconcilerError):
    """A safety guard refused a destructive step (a prune that would empty a source) unless
    forced."""


class UsageError(ReconcilerError):
    """The command line itself is wrong: unknown resource type, missing argument."""

    exit_code = 1


class StoreError(ReconcilerError):
    """The state store cannot be opened or is locked by another process."""
