"""Shared fixtures for the dashboard's tests: an instant in-memory cluster driven by a virtual
clock, the example folder applied to it, and the dashboard served over it by uvicorn on
127.0.0.1 and a free port, with an HTTP client pointed at it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reconciler.api.apply import Manifest, apply
from reconciler.api.inventory import source_id_for
from reconciler.clock import VirtualClock
from reconciler.cluster.timing import ClusterSettings, TimingName, save_settings
from reconciler.model.keys import Obj
from reconciler.runtime.folder import ManifestFolder
from reconciler.runtime.session import Cluster, open_cluster
from reconciler.store.memory import MemoryStore
from reconciler.web.serve import DashboardServer, ServeOptions

EXAMPLE = Path(__file__).resolve().parents[2] / "manifests"
# A manifest that does not validate: spec.replicas is no integer (line 6, column 13).
BROKEN = """\
apiVersion: v1
kind: ReplicationController
metadata:
  name: broken
spec:
  replicas: three
  selector: {app: broken}
  template:
    metadata: {labels: {app: broken}}
    spec:
      containers: [{name: broken, image: busybox}]
"""


def open_instant(store: MemoryStore) -> Iterator[Cluster]:
    with store.transaction():
        save_settings(store, ClusterSettings(nodes=3, timing=TimingName.INSTANT))
    with open_cluster(store, clock=VirtualClock(), seed=7) as opened:
        yield opened


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """Three nodes, every step instant; time moves only when the test moves it."""
    yield from open_instant(MemoryStore())


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the example manifests (the kubia RC and its load-balancer service)."""
    copy = tmp_path / "manifests"
    shutil.copytree(EXAMPLE, copy)
    return copy


def apply_folder(cluster: Cluster, folder: Path) -> None:
    """Apply a folder as `reconciler apply -f DIR` does, and let the cluster act on it."""
    manifests = ManifestFolder(folder)
    everything: list[Manifest] = []
    for path in manifests.files():
        everything += manifests.load(path).manifests
    report = apply(cluster.api, everything, source_id=source_id_for([folder]))
    assert not report.failures, report.failures
    cluster.advance()


@pytest.fixture
def kubia(cluster: Cluster, folder: Path) -> Cluster:
    """The cluster with the example applied: three kubia pods Running, the service's endpoints."""
    apply_folder(cluster, folder)
    return cluster


def pods(cluster: Cluster) -> list[Obj]:
    return cluster.api.list("Pod", "default")


@pytest.fixture
def served(cluster: Cluster) -> Iterator[DashboardServer]:
    """The dashboard over the cluster, not advancing it by itself (the test does)."""
    server = DashboardServer(cluster, ServeOptions(port=0, advance=False))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def client(served: DashboardServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.url, timeout=10) as http:
        yield http
