"""Opening the cluster: a store, the api over it, its controllers, and time brought up to now.

Every process that uses the cluster (a CLI command, the daemon, a test) opens it here. Opening
creates the cluster with defaults when the store is empty and advances it to the current time, so
`apply` then, seconds later, `get pods` shows the pods Running with no daemon running.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from reconciler.api.admission import admit
from reconciler.api.server import Api
from reconciler.clock import Clock, RealClock, VirtualClock
from reconciler.cluster.assembly import controllers
from reconciler.cluster.bootstrap import bootstrap, is_bootstrapped
from reconciler.runtime.manager import TIME, Manager
from reconciler.store.base import Store


@dataclass
class Cluster:
    """An open cluster: write through `api`, then `advance()` to let the controllers act."""

    store: Store
    api: Api
    manager: Manager
    clock: Clock

    def advance(self) -> None:
        """Run the cluster up to the time the outer clock says it is."""
        self.manager.advance(self.clock.now())


@contextmanager
def open_cluster(
    store: Store, *, clock: Clock | None = None, seed: int | None = None
) -> Iterator[Cluster]:
    """Open the cluster kept in `store`, bootstrapped and advanced to `clock`'s now.

    `clock` is the outer time (wall time by default; a `VirtualClock` in tests); `seed` makes
    every random choice (names, IPs, endpoints) repeatable.
    """
    outer = clock or RealClock()
    stored = store.get_meta(TIME)
    simulation = VirtualClock(float(stored) if stored else outer.now())
    api = Api(store, simulation, rng=random.Random(seed), validator=admit)
    cluster = Cluster(store, api, Manager(store, simulation, controllers(api)), outer)
    try:
        if not is_bootstrapped(api):
            with store.transaction():
                bootstrap(api)
        cluster.advance()
        yield cluster
    finally:
        store.close()
