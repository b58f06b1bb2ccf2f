"""How the Kubernetes API shapes what it sends: lists, watch events and `Status` errors.

- A list is `{"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": "123"},
  "items": [...]}`; as the API server sends typed lists, the items carry no kind or apiVersion.
- A watch event is `{"type": "ADDED", "object": {...}}`, one JSON document per line; a watch
  that cannot go on sends `{"type": "ERROR", "object": <Status>}` (a watch from a compacted
  revision gets the Status `410 Expired`, inside a 200 response, as the API server does).
- An error is a `Status` with the HTTP code, the reason and the message (`pods "x" not found`).

`status_of` translates our exception tree into these codes. Pure: no framework, no store.
"""

from __future__ import annotations

from typing import Any

from reconciler.errors import (
    AlreadyExists,
    BadRequest,
    Conflict,
    Expired,
    Forbidden,
    Invalid,
    ManifestError,
    NotFound,
    ReconcilerError,
    Refused,
    StoreError,
    UsageError,
)
from reconciler.model.keys import Obj
from reconciler.model.kinds import KindInfo

_CODES: tuple[tuple[type[ReconcilerError], int, str], ...] = (
    (NotFound, 404, "NotFound"),
    (AlreadyExists, 409, "AlreadyExists"),
    (Conflict, 409, "Conflict"),
    (Invalid, 422, "Invalid"),
    (Forbidden, 403, "Forbidden"),
    (BadRequest, 400, "BadRequest"),
    (Expired, 410, "Expired"),
    (ManifestError, 422, "Invalid"),
    (Refused, 409, "Conflict"),
    (UsageError, 400, "BadRequest"),
    (StoreError, 503, "ServiceUnavailable"),
)
"""Our errors → (HTTP code, Kubernetes StatusReason); the first class that matches wins."""


def status(code: int, reason: str, message: str, *, details: dict[str, Any] | None = None) -> Obj:
    """A `Status` object reporting a failure."""
    body: Obj = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        body["details"] = details
    return body


def status_of(error: ReconcilerError, *, details: dict[str, Any] | None = None) -> Obj:
    """The `Status` the API server would answer for one of our errors. The message is the
    error's own words (`pods "x" not found`), without the CLI's `Error from server` prefix."""
    message = str(error.args[0]) if error.args else str(error)
    if isinstance(error, ManifestError):
        message = str(error)
    for kind, code, reason in _CODES:
        if isinstance(error, kind):
            return status(code, reason, message, details=details)
    return status(500, "InternalError", message, details=details)


def object_not_found(info: KindInfo, name: str) -> Obj:
    """The API server's 404 for one object: `replicasets.apps "x" not found`, with details."""
    resource = f"{info.plural}.{info.group}" if info.group else info.plural
    details: dict[str, Any] = {"name": name, "kind": info.plural}
    if info.group:
        details["group"] = info.group
    return status(404, "NotFound", f'{resource} "{name}" not found', details=details)


NOT_FOUND = status(404, "NotFound", "the server could not find the requested resource")
NOT_ALLOWED = status(
    405, "MethodNotAllowed", "the server does not allow this method on the requested resource"
)
UNAUTHORIZED = status(401, "Unauthorized", "Unauthorized")


def list_of(info: KindInfo, items: list[Obj], *, revision: int) -> Obj:
    """A typed list (`PodList`) at a store revision; items lose their kind and apiVersion."""
    return {
        "kind": f"{info.kind}List",
        "apiVersion": info.api_version,
        "metadata": {"resourceVersion": str(revision)},
        "items": [strip_type(item) for item in items],
    }


def strip_type(obj: Obj) -> Obj:
    """The object without `kind` and `apiVersion`, as items of a typed list are sent."""
    return {key: value for key, value in obj.items() if key not in ("kind", "apiVersion")}


def watch_event(kind: str, obj: Obj) -> Obj:
    """One watch event: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR with its object."""
    return {"type": kind, "object": obj}


INITIAL_EVENTS_END = "k8s.io/initial-events-end"
"""The annotation of the BOOKMARK that ends a watch's initial events (sendInitialEvents=true)."""


def initial_events_end(info: KindInfo, *, revision: int) -> Obj:
    """The BOOKMARK a watch with `sendInitialEvents=true` sends after the current objects."""
    return watch_event(
        "BOOKMARK",
        {
            "kind": info.kind,
            "apiVersion": info.api_version,
            "metadata": {
                "resourceVersion": str(revision),
                "annotations": {INITIAL_EVENTS_END: "true"},
            },
        },
    )
