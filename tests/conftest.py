"""Fixtures every test folder may use: an instant simulated cluster (`cluster`) and a private
state folder for the CLI (`reconciler_home`). Helpers that are not fixtures live in plain
modules beside this one (tests/clusters.py, tests/kubia.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.runtime.session import Cluster
from tests.clusters import open_instant


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """Three nodes, every step instant; time moves only when the test moves it."""
    with open_instant() as opened:
        yield opened


@pytest.fixture
def reconciler_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$RECONCILER_HOME pointed at the test's own folder: the CLI's state lives there."""
    monkeypatch.setenv("RECONCILER_HOME", str(tmp_path))
    return tmp_path
