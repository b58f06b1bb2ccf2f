"""Shared fixtures for the dashboard's tests: the example folder applied to the instant
in-memory cluster of tests/conftest.py, and the dashboard served over it by uvicorn on
127.0.0.1 and a free port, with an HTTP client pointed at it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reconciler.model.keys import Obj
from reconciler.runtime.session import Cluster
from reconciler.web.serve import DashboardServer, ServeOptions
from tests.clusters import apply_folder

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


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the example manifests (the kubia RC and its load-balancer service)."""
    copy = tmp_path / "manifests"
    shutil.copytree(EXAMPLE, copy)
    return copy


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
