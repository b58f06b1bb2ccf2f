"""`reconciler curl`, `reconciler logs` and `reconciler cluster node stop|start` against a real
SQLite store in a temporary $RECONCILER_HOME, on an `instant` cluster (so wall time needs no
waiting)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reconciler.cli.app import app
from reconciler.clock import RealClock
from reconciler.cluster.node_failure import KubeletState, kubelet_state
from reconciler.model.keys import Obj, ObjectKey
from reconciler.runtime.session import open_cluster
from reconciler.store.open import open_store

runner = CliRunner()


@pytest.fixture
def home(reconciler_home: Path) -> Iterator[Path]:
    result = runner.invoke(app, ["cluster", "create", "--timing", "instant"])
    assert result.exit_code == 0, result.output
    with open_cluster(
        open_store(reconciler_home / "state.db"), clock=RealClock(), seed=1
    ) as cluster:
        for name in ("kubia-a", "kubia-b", "kubia-c"):
            cluster.api.create(
                {
                    "kind": "Pod",
                    "metadata": {"name": name, "labels": {"app": "kubia"}},
                    "spec": {"containers": [{"name": "kubia", "image": "luksa/kubia"}]},
                }
            )
        cluster.api.create(
            {
                "kind": "Service",
                "metadata": {"name": "kubia"},
                "spec": {"selector": {"app": "kubia"}, "ports": [{"port": 80, "targetPort": 8080}]},
            }
        )
        cluster.advance()
    yield reconciler_home


def node(home: Path, name: str) -> Obj:
    store = open_store(home / "state.db")
    try:
        found = store.get(ObjectKey("Node", "", name))
        assert found is not None
        return found
    finally:
        store.close()


def test_curl_prints_one_answer_per_request(home: Path) -> None:
    result = runner.invoke(app, ["curl", "svc/kubia", "--count", "10"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 10
    assert all(line.startswith("You've hit kubia-") for line in lines)


def test_curl_to_an_unknown_service_fails_in_one_line(home: Path) -> None:
    result = runner.invoke(app, ["curl", "svc/nope"])
    assert result.exit_code != 0
    assert 'services "nope" not found' in str(result.exception or result.output)


def test_logs_show_the_programs_lines(home: Path) -> None:
    runner.invoke(app, ["curl", "svc/kubia", "-c", "30"])
    result = runner.invoke(app, ["logs", "kubia-a", "--tail", "1"])
    assert result.exit_code == 0, result.output
    assert result.output == "Received request from ::ffff:172.18.0.1\n"
    result = runner.invoke(app, ["logs", "pod/kubia-b"])
    assert result.output.splitlines()[0] == "Kubia server starting..."


def test_node_stop_and_start_toggle_the_kubelet(home: Path) -> None:
    result = runner.invoke(app, ["cluster", "node", "stop", "node-1"])
    assert result.exit_code == 0, result.output
    assert result.output == "node/node-1 stopped\n"
    assert kubelet_state(node(home, "node-1")) is KubeletState.STOPPED
    result = runner.invoke(app, ["cluster", "node", "start", "node-1"])
    assert result.output == "node/node-1 started\n"
    assert kubelet_state(node(home, "node-1")) is KubeletState.RUNNING


def test_curl_reports_a_refused_connection_as_curl_does(home: Path) -> None:
    result = runner.invoke(app, ["curl", "10.96.0.99"])
    assert result.exit_code == 7
    assert (
        result.output == "curl: (7) Failed to connect to 10.96.0.99 port 80: Connection refused\n"
    )


def test_logs_of_a_waiting_container_fail_in_the_api_servers_words(home: Path) -> None:
    result = runner.invoke(app, ["logs", "kubia-a", "--previous"])
    assert result.exit_code == 1
    assert 'previous terminated container "kubia" in pod "kubia-a" not found' in str(
        result.exception
    )
