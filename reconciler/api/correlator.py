"""What a component's event recorder remembers, as client-go's EventCorrelator does, so that a
busy controller does not flood the store: similar events are combined and a spammy source is
throttled, per source and object (`client-go/tools/record/events_cache.go`).

- Aggregation: once 10 events about one object that differ only in their message (same type
  and reason) come within 10 minutes of each other, the 10th and later ones are one Event whose
  message reads `(combined from similar events): <the latest message>` and whose count grows.
  An RC that creates 150 pods says `Created pod: …` nine times, then combines.
- Spam filter: a source may write 25 events about one object at once, then one more every
  5 minutes (a token bucket); what it may not write is dropped, and counted into the next write
  of the same Event, as client-go's event log counts it before the filter drops it.

The memory is one component's, in the process that runs it, like client-go's (the 4,096 objects
used last): a new CLI process starts afresh, as a restarted controller manager does.
It decides; `EventRecorder` (api/events.py) writes.
"""

from __future__ import annotations

from typing import TypeVar

AGGREGATE_MAX_EVENTS = 10
"""Distinct messages of one type and reason about one object before they are combined."""

AGGREGATE_INTERVAL = 600.0
"""Seconds of quiet after which similar events count from zero again."""

COMBINED = "(combined from similar events): "
"""What a combined Event's message starts with."""

SPAM_BURST = 25
"""Events a source may write about one object at once."""

SPAM_REFILL = 300.0
"""Seconds for the source to earn one more."""

LRU_ENTRIES = 4096
"""Entries each cache keeps, the least recently used forgotten first."""

K = TypeVar("K")
V = TypeVar("V")


class _Memory:
    """What a source remembers of one object: its token bucket as of `at`, and per type and
    reason when a similar event last came and the distinct messages seen lately, in order."""

    __slots__ = ("at", "similar", "tokens")

    def __init__(self, now: float) -> None:
        self.tokens = float(SPAM_BURST)
        self.at = now
        self.similar: dict[tuple[str, str], tuple[float, dict[str, None]]] = {}


class Correlator:
    """One source's memory of the events it recorded: which to combine, which to drop.

    Kept per object rather than per (object, type, reason) as client-go's two caches are: one
    lookup per event instead of two, the same answers while fewer than 4,096 objects are
    remembered."""

    def __init__(self) -> None:
        self._objects: dict[str, _Memory] = {}
        self._dropped: dict[str, int] = {}

    def judge(
        self, uid: str, event_type: str, reason: str, message: str, now: float
    ) -> tuple[bool, bool]:
        """Whether this event joins the combined Event of its type and reason rather than
        standing alone, and whether the source may write it now (the spam filter)."""
        memory = self._objects.get(uid)
        if memory is None:
            memory = _Memory(now)
        else:
            memory.tokens = min(SPAM_BURST, memory.tokens + (now - memory.at) / SPAM_REFILL)
            memory.at = now
        _remember(self._objects, uid, memory)
        kind = (event_type, reason)
        similar = memory.similar.get(kind)
        if similar is None or now - similar[0] > AGGREGATE_INTERVAL:
            messages = {message: None}
        else:
            messages = similar[1]
            messages[message] = None
        memory.similar[kind] = (now, messages)
        combined = len(messages) >= AGGREGATE_MAX_EVENTS
        if combined:
            del messages[next(iter(messages))]  # the set stays below the limit
        admitted = memory.tokens >= 1
        if admitted:
            memory.tokens -= 1
        return combined, admitted

    def forget(self, uid: str) -> None:
        """Drop the memory of an object that is gone: its uid never comes back."""
        self._objects.pop(uid, None)

    def drop(self, name: str) -> None:
        """Count an occurrence of the named Event that the filter kept from the store."""
        _remember(self._dropped, name, self._dropped.get(name, 0) + 1)

    def take_dropped(self, name: str) -> int:
        """The occurrences dropped since the named Event was last written, forgotten now."""
        return self._dropped.pop(name, 0) if self._dropped else 0


class Uncorrelated(Correlator):
    """Every event stands alone and is written, as client-go's events.k8s.io recorder (the one
    kube-scheduler uses) writes them."""

    def judge(
        self, uid: str, event_type: str, reason: str, message: str, now: float
    ) -> tuple[bool, bool]:
        return False, True


def _remember(cache: dict[K, V], key: K, value: V) -> None:
    """Store `value` as the most recently used entry, forgetting the least recent beyond
    the cache's size."""
    cache.pop(key, None)
    cache[key] = value
    if len(cache) > LRU_ENTRIES:
        del cache[next(iter(cache))]
