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

Before writing, a recorder asks its correlator (api/correlator.py) whether to combine the event
with similar ones and whether its source may write at all; a component keeps one recorder per
source (the kubelet one per node) so that this memory spans its work.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import TYPE_CHECKING

from reconciler.api import metadata
from reconciler.api.correlator import COMBINED, Correlator, Uncorrelated
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

    def __init__(
        self, api: Api, component: str, *, host: str | None = None, correlated: bool = True
    ) -> None:
        """`correlated`: whether similar events are combined and spam dropped, as client-go's
        core/v1 recorder does (the kubelet's and the controllers'), or every event written."""
        self._api = api
        self._component = component
        self._host = host
        self._correlator = Correlator() if correlated else Uncorrelated()

    def record(self, involved: Obj, event_type: EventType, reason: str, message: str) -> Obj | None:
        """Record (or count again) one event about `involved`; None when the spam filter
        keeps it from the store."""
        meta = involved["metadata"]
        uid = meta.get("uid", "")
        now = self._api.clock.now()
        correlator = self._correlator
        combined, admitted = correlator.judge(uid, event_type, reason, message, now)
        if combined:
            message = COMBINED + message
        name = f"{meta['name']}.{self._digest(uid, event_type, reason, message, combined)}"
        if not admitted:
            correlator.drop(name)
            return None
        count = 1 + correlator.take_dropped(name)
        stamp = rfc3339(now)
        store = self._api.store
        try:  # the create is a transaction of its own: the usual case opens no other
            return store.create(
                self._event(
                    involved,
                    event_type,
                    reason,
                    message,
                    name=name,
                    now=stamp,
                    count=count,
                    combined=combined,
                )
            )
        except AlreadyExists:
            pass
        with store.transaction():
            namespace = meta.get("namespace") or "default"
            existing = self._api.get(ObjectKey("Event", namespace, name))
            existing["count"] = existing.get("count", 1) + count
            existing["lastTimestamp"] = stamp
            existing["message"] = message  # a combined Event tells the latest of its events
            return store.update(existing)

    def forget(self, uid: str) -> None:
        """Drop what the recorder remembers of an object that is gone for good."""
        self._correlator.forget(uid)

    def _digest(
        self, uid: str, event_type: EventType, reason: str, message: str, combined: bool
    ) -> str:
        """What names an Event: all that its repeats share (a combined one, all but the
        message)."""
        shared = (
            uid,
            event_type,
            reason,
            COMBINED if combined else message,
            self._component,
            self._host or "",
        )
        return hashlib.sha1("\0".join(shared).encode()).hexdigest()[:16]

    def _event(
        self,
        involved: Obj,
        event_type: EventType,
        reason: str,
        message: str,
        *,
        name: str,
        now: str,
        count: int,
        combined: bool,
    ) -> Obj:
        """A new Event, counted `count` times, with the server's metadata stamped. A combined
        one names no reporting controller or instance: client-go's aggregator builds it afresh
        from the source, involved object, type, reason and message alone."""
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
            "count": count,
            "type": str(event_type),
            "reportingComponent": "" if combined else self._component,
            "reportingInstance": "" if combined else self._host or "",
        }
        return event
