"""Events: the record of what happened to an object, as `kubectl describe` and `get events` show.

Controllers, the scheduler and kubelets call `EventRecorder.record`; repeats of the same event
(same object, type, reason, message and source) are folded into one Event whose `count` grows and
whose `lastTimestamp` moves, as Kubernetes' event correlator does.

Events are about half of all writes, so they skip the api's create and update: the recorder
builds each Event whole (named, namespaced as the object it is about, with the uid and
creation time the server stamps, no spec to default and no schema to check) and stores it
without the copy, defaulting, validation and lookups `Api.create` spends on what clients send.
An Event's name is its object's name and a digest of what repeats share, so a repeat is found
by the create its name makes fail: a new Event (nearly every one) costs no lookup first, and a
repeat, a failed create and a read (its refused draft drew a uid from the api's generator, the
one way a seeded sequence of names differs from looking first).
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import TYPE_CHECKING

from reconciler.api import metadata
from reconciler.clock import rfc3339
from reconciler.errors import AlreadyExists
from reconciler.model.keys import Obj, ObjectKey

if TYPE_CHECKING:
    from reconciler.api.server import Api


class EventType(StrEnum):
    """The two event types Kubernetes has."""

    NORMAL = "Normal"
    WARNING = "Warning"


class EventRecorder:
    """Writes Events through the api for one reporting component (kubelet, default-scheduler…)."""

    def __init__(self, api: Api, component: str, *, host: str | None = None) -> None:
        self._api = api
        self._component = component
        self._host = host

    def record(self, involved: Obj, event_type: EventType, reason: str, message: str) -> Obj:
        """Record (or count again) one event about `involved`."""
        meta = involved["metadata"]
        namespace = meta.get("namespace") or "default"
        digest = hashlib.sha1(
            "\0".join(
                (
                    meta.get("uid", ""),
                    event_type,
                    reason,
                    message,
                    self._component,
                    self._host or "",
                )
            ).encode()
        ).hexdigest()[:16]
        name = f"{meta['name']}.{digest}"
        now = rfc3339(self._api.clock.now())
        store = self._api.store
        try:  # the create is a transaction of its own: the usual case opens no other
            return store.create(self._event(involved, event_type, reason, message, name, now))
        except AlreadyExists:
            pass
        with store.transaction():
            existing = self._api.get(ObjectKey("Event", namespace, name))
            existing["count"] = existing.get("count", 1) + 1
            existing["lastTimestamp"] = now
            return store.update(existing)

    def _event(
        self,
        involved: Obj,
        event_type: EventType,
        reason: str,
        message: str,
        name: str,
        now: str,
    ) -> Obj:
        """A new Event, counted once, with the server's metadata stamped."""
        meta = involved["metadata"]
        namespace = meta.get("namespace") or "default"
        source = {"component": self._component}
        if self._host:
            source["host"] = self._host
        event: Obj = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "uid": metadata.new_uid(self._api.rng),
                "creationTimestamp": now,
            },
            "involvedObject": {
                "apiVersion": involved.get("apiVersion", "v1"),
                "kind": involved["kind"],
                "name": meta["name"],
                "namespace": meta.get("namespace", ""),
                "uid": meta.get("uid", ""),
                "resourceVersion": meta.get("resourceVersion", ""),
            },
            "reason": reason,
            "message": message,
            "source": source,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "type": str(event_type),
            "reportingComponent": self._component,
            "reportingInstance": self._host or "",
        }
        return event
