"""Watches: the Kubernetes watch API over HTTP, and the dashboard's own stream of everything.

`api_watch` is `GET …/pods?watch=1[&resourceVersion=R]`: newline-delimited watch events, as
the API server sends them. Without a resourceVersion it begins with an ADDED event per current
object ("get state and start at most recent"); with one, it sends every change after it, and a
revision compacted away gets one ERROR event carrying the Status `410 Expired` (in a 200
response, as the API server answers). `sendInitialEvents=true` begins with the current objects
and a BOOKMARK annotated `k8s.io/initial-events-end`. With selectors, an object that starts or
stops matching arrives as ADDED or DELETED, as the API server's watch cache sends it.

`page_stream` is the dashboard's server-sent events: one connection carrying the watch events of
every kind the page draws (so a browser needs one connection, not one per kind), each pod and
node with its summary (web/summaries.py), in batches: `reset` (everything, on connect or when
the browser's Last-Event-ID was compacted away), then `changes`; `status` when the GitOps
report changed. Each batch's SSE id is its revision, so a browser that reconnects (EventSource
sends Last-Event-ID) resumes exactly after the last batch it saw.

Store reads run in worker threads; waiting is one `ChangeHub` for all streams. Framework-free:
async generators of text that web/app.py hands to the HTTP server.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Collection
from typing import Any

from reconciler.clock import monotonic
from reconciler.errors import Expired
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.kinds import KINDS
from reconciler.store.base import EventType, Store, WatchEvent
from reconciler.web.changes import ChangeHub
from reconciler.web.folderstatus import StatusTracker
from reconciler.web.queries import Query
from reconciler.web.resources import Target
from reconciler.web.shapes import initial_events_end, status_of, watch_event
from reconciler.web.summaries import summary_of

KEEPALIVE = 15.0
"""Seconds of silence after which the dashboard's stream sends a comment line."""
PAGE_KINDS = tuple(info.kind for info in KINDS if info.kind != "Namespace")
"""The kinds the dashboard draws."""
EVENTS_SHOWN = 200
"""The newest Events a `reset` carries (the page shows the latest; history can be long)."""

Now = Callable[[], float]


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def read_list(store: Store, target: Target, query: Query) -> tuple[int, list[Obj]]:
    """The objects a list names, and a revision no newer than them: a watch from it may repeat
    a change the list shows already, never miss one."""
    revision = store.revision()
    items = store.list(target.info.kind, target.namespace, query.labels)
    return revision, [obj for obj in items if query.fields.matches(obj)]


def read_changes(store: Store, after: int, kinds: Collection[str]) -> tuple[int, list[WatchEvent]]:
    """The changes to `kinds` after a revision, and the revision to go on from. Raises
    Expired when that history is gone."""
    current = store.revision()
    events = store.watch(after, kinds=kinds)
    return max(current, events[-1].revision if events else after), events


# -- the Kubernetes watch API --------------------------------------------------------------------


async def api_watch(
    store: Store, hub: ChangeHub, target: Target, query: Query
) -> AsyncIterator[str]:
    """Newline-delimited watch events for one kind (and namespace, and selectors)."""
    info = target.info
    selective = not query.labels.empty or bool(query.fields.requirements)
    membership = _Membership(query)
    deadline = None if query.timeout is None else monotonic() + query.timeout
    if query.resource_version is None or query.send_initial_events:
        revision, items = await asyncio.to_thread(read_list, store, target, query)
        membership.listed(items)
        for obj in items:
            yield _dumps(watch_event("ADDED", obj)) + "\n"
        if query.send_initial_events:
            yield _dumps(initial_events_end(info, revision=revision)) + "\n"
    else:
        revision = query.resource_version
    while not hub.closed:
        try:
            revision, events = await asyncio.to_thread(read_changes, store, revision, (info.kind,))
        except Expired as error:
            yield _dumps(watch_event("ERROR", status_of(error))) + "\n"
            return
        for event in events:
            if target.namespace is not None and event.key.namespace != target.namespace:
                continue
            kind = membership.seen_as(event) if selective else event.type.value
            if kind is not None:
                yield _dumps(watch_event(kind, event.object)) + "\n"
        remaining = KEEPALIVE if deadline is None else deadline - monotonic()
        if remaining <= 0:
            return
        await hub.wait(revision=revision, generation=hub.generation, timeout=remaining)


class _Membership:
    """Which objects a selector-filtered watcher holds, to turn an object that starts or stops
    matching into ADDED or DELETED, as the API server's watch cache does (it compares each
    change with the object before it). After a list, every object is known. A watch from a
    resourceVersion knows an object once a change shows it: until then, a change that no longer
    matches is sent as DELETED (harmless if the watcher never held it), one that matches as
    MODIFIED; a deletion as the first change shows the object as it was at that revision."""

    def __init__(self, query: Query) -> None:
        self._query = query
        self._holds: dict[ObjectKey, bool] = {}
        self._listed = False

    def listed(self, items: list[Obj]) -> None:
        self._listed = True
        self._holds = {ObjectKey.of(obj): True for obj in items}

    def seen_as(self, event: WatchEvent) -> str | None:
        """The event type the watcher sees, or None when it sees nothing."""
        matches = self._query.matches(event.object)
        held = self._holds.get(event.key, False if self._listed else None)
        if event.type is EventType.DELETED:
            self._holds[event.key] = False
            return "DELETED" if (held if held is not None else matches) else None
        self._holds[event.key] = matches
        if matches:
            return "ADDED" if event.type is EventType.ADDED or held is False else "MODIFIED"
        return "DELETED" if held is not False and event.type is EventType.MODIFIED else None


# -- the dashboard's stream ------------------------------------------------------------------------


def _message(kind: str, data: Any, *, revision: int | None = None) -> str:
    head = f"event: {kind}\n"
    if revision is not None:
        head += f"id: {revision}\n"
    return f"{head}data: {_dumps(data)}\n\n"


def _page_event(kind: str, obj: Obj, now: float) -> dict[str, Any]:
    event: dict[str, Any] = {"type": kind, "object": obj}
    summary = summary_of(obj, now=now)
    if summary is not None:
        event["summary"] = summary
    return event


def _reset(store: Store, now: Now) -> tuple[int, str]:
    """Every object the page draws, as one `reset` message."""
    revision = store.revision()
    when = now()
    events = []
    for kind in PAGE_KINDS:
        objects = store.list(kind)
        if kind == "Event":
            objects.sort(key=lambda obj: int(obj["metadata"]["resourceVersion"]))
            objects = objects[-EVENTS_SHOWN:]
        events += [_page_event("ADDED", obj, when) for obj in objects]
    data = {"revision": revision, "events": events}
    return revision, _message("reset", data, revision=revision)


def _changes(store: Store, after: int, now: Now) -> tuple[int, str | None]:
    revision, events = read_changes(store, after, PAGE_KINDS)
    if not events:
        return revision, None
    when = now()
    data = {
        "revision": revision,
        "events": [_page_event(e.type.value, e.object, when) for e in events],
    }
    return revision, _message("changes", data, revision=revision)


async def page_stream(
    store: Store,
    hub: ChangeHub,
    tracker: StatusTracker | None,
    *,
    now: Now,
    last_event_id: str = "",
) -> AsyncIterator[str]:
    """The dashboard's server-sent events, resuming after `last_event_id` when it can."""
    yield "retry: 1000\n\n"
    if last_event_id.isdigit():
        revision = int(last_event_id)
    else:
        revision, message = await asyncio.to_thread(_reset, store, now)
        yield message
    sent_generation = -1
    while True:
        try:
            revision, changed = await asyncio.to_thread(_changes, store, revision, now)
        except Expired:
            revision, changed = await asyncio.to_thread(_reset, store, now)
        if changed is not None:
            yield changed
        generation = hub.generation
        report = tracker.snapshot() if tracker is not None else None
        if generation != sent_generation and report is not None:
            yield _message("status", report)
            sent_generation = generation
        if hub.closed:
            return
        started = monotonic()
        await hub.wait(revision=revision, generation=generation, timeout=KEEPALIVE)
        if monotonic() - started >= KEEPALIVE:
            yield ": keepalive\n\n"
