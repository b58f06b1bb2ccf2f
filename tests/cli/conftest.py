"""Shared fixtures for CLI tests: an instant cluster in a private $RECONCILER_HOME."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reconciler.cli.app import app
from reconciler.cli.context import cluster_from_cli
from reconciler.model.keys import Obj, ObjectKey

Arrange = Callable[..., list[Obj]]


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """describe prints times in the local zone, as kubectl does; tests pin it to UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def instant_cluster(reconciler_home: Path, utc: None) -> Path:
    """A two-node cluster whose simulated steps take no time, in a temporary home."""
    created = CliRunner().invoke(app, ["cluster", "create", "--nodes", "2", "--timing", "instant"])
    assert created.exit_code == 0, created.output
    return reconciler_home


@pytest.fixture
def arrange(instant_cluster: Path) -> Arrange:
    """Create objects through the api of the test's cluster and let the cluster act on them."""

    def create(*objs: Obj) -> list[Obj]:
        with cluster_from_cli() as cluster:
            created = [cluster.api.create(obj) for obj in objs]
            cluster.advance()
            return [cluster.api.get(ObjectKey.of(obj)) for obj in created]

    return create
