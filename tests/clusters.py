"""Simulated clusters for tests: on a MemoryStore, driven by a VirtualClock, so nothing sleeps.

`open_instant` opens a cluster whose every step takes no time, for the tests of what sits above
the cluster (sync, status, the dashboard); tests/conftest.py makes it the `cluster` fixture.
`Sim` is a cluster whose time the test moves by hand, for the tests of the cluster's own timing.
`apply_folder` applies a folder as `reconciler apply -f DIR` does. Import as `tests.clusters`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reconciler.api.apply import Manifest, apply
from reconciler.api.inventory import source_id_for
from reconciler.clock import VirtualClock
from reconciler.cluster.timing import ClusterSettings, TimingName, save_settings
from reconciler.model.keys import Obj, ObjectKey
from reconciler.runtime.folder import ManifestFolder
from reconciler.runtime.session import Cluster, open_cluster
from reconciler.store.memory import MemoryStore


def _created(store: MemoryStore, *, nodes: int, timing: TimingName) -> MemoryStore:
    """`store` holding the settings `cluster create --nodes N --timing T` would save."""
    with store.transaction():
        save_settings(store, ClusterSettings(nodes=nodes, timing=timing))
    return store


@contextmanager
def open_instant(
    store: MemoryStore | None = None, *, nodes: int = 3, seed: int = 7
) -> Iterator[Cluster]:
    """An instant cluster (in `store`, a new one by default); time moves only when the test
    moves it."""
    created = _created(
        MemoryStore() if store is None else store, nodes=nodes, timing=TimingName.INSTANT
    )
    with open_cluster(created, clock=VirtualClock(), seed=seed) as opened:
        yield opened


class Sim:
    """A bootstrapped cluster on a virtual clock, advanced by hand with `run`."""

    def __init__(
        self, *, seed: int, nodes: int = 3, timing: TimingName = TimingName.REALISTIC
    ) -> None:
        self.store = _created(MemoryStore(), nodes=nodes, timing=timing)
        self.clock = VirtualClock()
        self.cluster: Cluster = open_cluster(self.store, clock=self.clock, seed=seed).__enter__()
        self.api = self.cluster.api

    def run(self, seconds: float = 0.0) -> None:
        self.clock.advance(seconds)
        self.cluster.advance()

    def get(self, kind: str, name: str) -> Obj:
        return self.api.get(ObjectKey(kind, "default", name))


def apply_folder(cluster: Cluster, folder: Path) -> None:
    """Apply a folder as `reconciler apply -f DIR` does, and let the cluster act on it."""
    manifests = ManifestFolder(folder)
    everything: list[Manifest] = []
    for path in manifests.files():
        everything += manifests.load(path).manifests
    report = apply(cluster.api, everything, source_id=source_id_for([folder]))
    assert not report.failures, report.failures
    cluster.advance()
