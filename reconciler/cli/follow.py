"""Keep the cluster moving in real time and report what changes: `get -w`, `wait`, `delete`.

The cluster is a function of its stored state and the time, so a command that watches must
advance it itself (no daemon needs to run): `follow` advances the cluster to the wall clock,
yields the store's changes since a revision, then sleeps until the store changes, the next timer
of the simulation falls due, or a short poll interval passes - whichever comes first. This is
the CLI running in real time; the simulation's own tests drive a virtual clock instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from reconciler.clock import monotonic
from reconciler.errors import Expired
from reconciler.runtime.session import Cluster
from reconciler.store.base import WatchEvent

POLL_SECONDS = 0.5
"""Upper bound of one sleep, so a change made by another process is seen quickly."""


def follow(
    cluster: Cluster, *, from_revision: int, timeout: float | None = None
) -> Iterator[list[WatchEvent]]:
    """Batches of changes after `from_revision` (an empty batch after each quiet spell, so the
    caller can re-check its condition), until `timeout` seconds pass (None: until the caller
    stops). A compacted history restarts from the current revision."""
    deadline = None if timeout is None else monotonic() + timeout
    revision = from_revision
    while True:
        cluster.advance()
        try:
            events = cluster.store.watch(revision)
        except Expired:
            events = []
            revision = cluster.store.revision()
        if events:
            revision = events[-1].revision
        yield events
        left = None if deadline is None else deadline - monotonic()
        if left is not None and left <= 0:
            return
        pause = POLL_SECONDS if left is None else min(POLL_SECONDS, left)
        due = cluster.store.next_due()
        if due is not None:
            pause = min(pause, max(0.0, due - cluster.api.clock.now()))
        cluster.store.wait(revision, pause)
