"""Moving a CLI test's cluster forward in simulated time, without waiting.

The CLI advances the cluster to the wall clock. A test that needs minutes to pass (a progress
deadline, minReadySeconds) opens the same store with a virtual clock ahead of both the wall
clock and the cluster's own time and lets the cluster run to it; later commands find the
cluster already there (the simulation never goes back), so nothing sleeps.
"""

from __future__ import annotations

from reconciler.cli.context import store_path
from reconciler.clock import RealClock, VirtualClock
from reconciler.runtime.manager import TIME
from reconciler.runtime.session import open_cluster
from reconciler.store.open import open_store


def fast_forward(seconds: float) -> None:
    """Let `seconds` of simulated time pass in the cluster under $RECONCILER_HOME."""
    store = open_store(store_path())
    stored = store.get_meta(TIME)
    start = max(float(stored) if stored else 0.0, RealClock().now())
    with open_cluster(store, clock=VirtualClock(start + seconds)):
        pass
