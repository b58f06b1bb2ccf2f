"""Keeping the cluster moving in real time while the dashboard serves it.

The simulated cluster only moves when a process advances it (runtime/manager.py). With no
daemon running, the dashboard's process does it, as the daemon does: a thread advances the
cluster whenever someone wrote to the store (a button on the page, a CLI command in another
terminal) or a timer fell due (an image pull finishing), so the page shows ContainerCreating
turning Running without anyone typing a command. A daemon running beside it may advance too:
each simulated instant is one store transaction, so two advancing processes take turns.
`reconciler watch --dashboard` does not start one: its daemon advances the cluster.

A failing step is logged and the next one runs, as in the daemon. Never writes objects itself.
"""

from __future__ import annotations

import logging
import threading

from reconciler.errors import ReconcilerError
from reconciler.runtime.session import Cluster

TICK = 0.1
"""Longest wait between two looks at the timers while nothing is written."""

log = logging.getLogger("reconciler.web")


class Advancer:
    """A thread that advances one open cluster to the wall-clock time."""

    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="reconciler-advance", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the step in flight."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        cluster = self._cluster
        store = cluster.store
        advanced = -1
        while not self._stopping.is_set():
            due = store.next_due()
            now = cluster.clock.now()
            if store.revision() != advanced or (due is not None and due <= now):
                self._step()
                advanced = store.revision()
                continue
            timeout = TICK if due is None else min(TICK, max(0.0, due - now))
            store.wait(advanced, timeout)

    def _step(self) -> None:
        try:
            self._cluster.advance()
        except ReconcilerError as error:
            log.error("advancing the cluster failed: %s", error)
            self._stopping.wait(TICK)
        except Exception:
            log.exception("internal error while advancing the cluster")
            self._stopping.wait(TICK)
