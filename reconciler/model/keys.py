"""Object identity: which object a key names, and how to read it off an object dict.

Objects are plain JSON-like dicts shaped exactly as Kubernetes shapes them; an `ObjectKey` is
the (kind, namespace, name) triple that identifies one. Cluster-scoped kinds use namespace "".
"""

from __future__ import annotations

from typing import Any, NamedTuple

Obj = dict[str, Any]
"""A Kubernetes-shaped object: apiVersion, kind, metadata, spec, status."""


class ObjectKey(NamedTuple):
    """Identifies one object: kind (e.g. "Pod"), namespace ("" when cluster-scoped), name."""

    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        if self.namespace:
            return f"{self.kind}/{self.namespace}/{self.name}"
        return f"{self.kind}/{self.name}"

    @classmethod
    def of(cls, obj: Obj) -> ObjectKey:
        """The key of an object dict (which must have kind and metadata.name)."""
        meta = obj.get("metadata") or {}
        return cls(obj["kind"], meta.get("namespace") or "", meta["name"])

    @classmethod
    def parse(cls, text: str) -> ObjectKey:
        """Inverse of `str()`: `Pod/default/kubia-x` or `Node/node-1`."""
        parts = text.split("/")
        if len(parts) == 3:
            return cls(parts[0], parts[1], parts[2])
        if len(parts) == 2:
            return cls(parts[0], "", parts[1])
        raise ValueError(f"not an object key: {text!r}")


def meta(obj: Obj) -> dict[str, Any]:
    """The object's metadata mapping, created empty when absent."""
    return obj.setdefault("metadata", {})  # type: ignore[no-any-return]


def labels_of(obj: Obj) -> dict[str, str]:
    """The object's labels (never None)."""
    return (obj.get("metadata") or {}).get("labels") or {}
