"""Waking the server's watchers when the store changes, without a thread per watcher.

One thread blocks in `store.wait` (a write by this process wakes it at once; another process's
write is seen within the store's poll interval) and tells the event loop the new revision;
every open watch (an API watch or the dashboard's stream) awaits `ChangeHub.wait` and then reads
the changes itself. Other producers (the daemon-status tracker) `publish` through the same hub,
so that a watch wakes for whatever it streams. `close` wakes everyone for good, so that open
streams end when the server stops. Called by web/app.py and web/streams.py; it never reads
objects itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

from reconciler.clock import monotonic
from reconciler.store.base import Store

POLL = 0.1
"""Longest the hub thread blocks in the store before looking at its stop flag."""


class ChangeHub:
    """The store's revision and a change counter for other topics, as the event loop sees them."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.revision = store.revision()
        self.generation = 0
        """Bumped by `publish`: something other than objects changed (the daemon status)."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pulse = asyncio.Event()
        self._stopping = threading.Event()
        self._closed = False
        self._thread: threading.Thread | None = None

    @property
    def closed(self) -> bool:
        return self._closed

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Begin following the store; `loop` is the server's event loop."""
        self._loop = loop
        self._thread = threading.Thread(target=self._follow, name="reconciler-changes", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Wake every waiter for the last time and stop following (thread-safe, never blocks:
        the server calls it from its signal handler, so that open streams end at once)."""
        self._stopping.set()
        self._call(self._close)

    def join(self) -> None:
        """Wait for the hub thread to end, after `close`."""
        if self._thread is not None:
            self._thread.join(timeout=4 * POLL)

    def publish(self) -> None:
        """Tell waiters that something besides objects changed (thread-safe)."""
        self._call(self._bump_generation)

    async def wait(self, *, revision: int, generation: int, timeout: float) -> None:
        """Return once the store passed `revision`, `generation` moved, the hub closed, or
        `timeout` seconds went by."""
        deadline = monotonic() + timeout
        while not self._closed and self.revision <= revision and self.generation == generation:
            remaining = deadline - monotonic()
            if remaining <= 0:
                return
            pulse = self._pulse
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(pulse.wait(), remaining)

    # -- in the hub thread ---------------------------------------------------------------------

    def _follow(self) -> None:
        seen = self._store.revision()
        while not self._stopping.is_set():
            if self._store.wait(seen, POLL):
                seen = self._store.revision()
                self._call(self._set_revision, seen)

    # -- in the event loop ---------------------------------------------------------------------

    def _call(self, function: Callable[..., None], *args: object) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop stopped meanwhile
            loop.call_soon_threadsafe(function, *args)

    def _wake(self) -> None:
        pulse, self._pulse = self._pulse, asyncio.Event()
        pulse.set()

    def _set_revision(self, revision: int) -> None:
        if revision > self.revision:
            self.revision = revision
            self._wake()

    def _bump_generation(self) -> None:
        self.generation += 1
        self._wake()

    def _close(self) -> None:
        self._closed = True
        self._wake()
