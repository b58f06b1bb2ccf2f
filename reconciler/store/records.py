"""What every store backend shares: how an object becomes its stored text, and the errors.

Backends (memory, SQLite) call these so that they stamp revisions, word their refusals and bound
their history identically; the contract tests hold them to it. Nothing here does I/O or keeps state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reconciler.collector import collector_paused
from reconciler.errors import AlreadyExists, Conflict, Expired, NotFound
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.kinds import BY_KIND
from reconciler.store.codec import decode, encode

HISTORY = 100_000
"""How many past changes a watch can replay at least. Backends compact down to the newest
HISTORY changes once they hold twice that (as the API server compacts etcd), so a watcher that
fell further behind gets Expired and relists."""


def stamped(obj: Obj, revision: int) -> tuple[Obj, str]:
    """The object as stored, with `metadata.resourceVersion` set to `revision`, and its text.

    `obj` itself is left as it was: only its top level and metadata are copied (the encoder does
    the rest), so the stored object shares its other values with `obj`. Backends return it from
    writes instead of decoding the text again (a decode per write was a tenth of a big apply)."""
    metadata = dict(obj.get("metadata") or {})
    metadata["resourceVersion"] = str(revision)
    stored = {**obj, "metadata": metadata}
    return stored, encode(stored)


def decode_all(texts: Iterable[str]) -> list[Any]:
    """Decode many stored texts at once (a list, a watch). The cyclic garbage collector is paused
    meanwhile: decoded JSON cannot form cycles, yet the bursts of containers it allocates would
    trigger collections costing three to four times the decoding itself."""
    with collector_paused():
        return [decode(text) for text in texts]


def encode_labels(obj: Obj) -> str:
    """The object's labels as canonical text, so that two label sets compare as strings."""
    labels = (obj.get("metadata") or {}).get("labels")
    return encode(dict(sorted(labels.items()))) if labels else "{}"


def _resource(key: ObjectKey) -> str:
    """How the API server names a kind in errors: `pods`, `replicasets.apps`."""
    info = BY_KIND.get(key.kind)
    if info is None:
        return key.kind.lower()
    return f"{info.plural}.{info.group}" if info.group else info.plural


def not_found(key: ObjectKey) -> NotFound:
    """`pods "x" not found`."""
    return NotFound(f'{_resource(key)} "{key.name}" not found')


def already_exists(key: ObjectKey) -> AlreadyExists:
    """`pods "x" already exists`."""
    return AlreadyExists(f'{_resource(key)} "{key.name}" already exists')


def conflict(key: ObjectKey) -> Conflict:
    """The API server's optimistic-concurrency refusal, word for word."""
    return Conflict(
        f'Operation cannot be fulfilled on {_resource(key)} "{key.name}": the object has been '
        "modified; please apply your changes to the latest version and try again"
    )


def expired(from_revision: int, oldest: int) -> Expired:
    """A watch from before the oldest change still kept: `too old resource version: 5 (100)`."""
    return Expired(f"too old resource version: {from_revision} ({oldest - 1})")
