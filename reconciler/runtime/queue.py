"""The work queue: the order in which controllers see keys.

It de-duplicates (a key waiting once is run once, however many changes queued it), runs keys in
the order they first arrived, and counts failures per key so that retries back off exponentially
(5 ms doubling to 1,000 s, controller-runtime's default). Delays are not kept here but as timers
in the store (see runtime/manager.py), so they outlive the process.
"""

from __future__ import annotations

from collections import OrderedDict

from reconciler.model.keys import ObjectKey

Item = tuple[str, ObjectKey]
"""A controller's name and the key it must reconcile."""

BASE_DELAY = 0.005
MAX_DELAY = 1000.0


class WorkQueue:
    """A de-duplicating FIFO of (controller, key) items, with per-item failure counts."""

    def __init__(self) -> None:
        self._waiting: OrderedDict[Item, None] = OrderedDict()
        self._failures: dict[Item, int] = {}

    def add(self, item: Item) -> None:
        """Queue an item unless it is already waiting."""
        self._waiting.setdefault(item, None)

    def pop(self) -> Item | None:
        """The oldest waiting item, or None when the queue is empty."""
        if not self._waiting:
            return None
        return self._waiting.popitem(last=False)[0]

    def __len__(self) -> int:
        return len(self._waiting)

    def failed(self, item: Item) -> float:
        """Count a failure and return how long to wait before the next try."""
        failures = self._failures.get(item, 0)
        self._failures[item] = failures + 1
        return min(BASE_DELAY * 2.0**failures, MAX_DELAY)

    def forget(self, item: Item) -> None:
        """The item succeeded: its next failure starts the back-off afresh."""
        self._failures.pop(item, None)
