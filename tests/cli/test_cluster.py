"""`reconciler cluster create|delete` and `cluster-info`, against a real SQLite store in a
temporary $RECONCILER_HOME."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from reconciler.cli.app import app
from reconciler.cluster.timing import ClusterSettings, TimingName, stored_settings
from reconciler.errors import UsageError
from reconciler.store.open import open_store

runner = CliRunner()


def node_names(home: Path) -> list[str]:
    store = open_store(home / "state.db")
    try:
        return [n["metadata"]["name"] for n in store.list("Node")]
    finally:
        store.close()


def settings(home: Path) -> ClusterSettings | None:
    store = open_store(home / "state.db")
    try:
        return stored_settings(store)
    finally:
        store.close()


def test_create_makes_the_asked_nodes_and_timing(reconciler_home: Path) -> None:
    result = runner.invoke(app, ["cluster", "create", "--nodes", "4", "--timing", "instant"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Created cluster with 4 nodes (node-1, node-2, node-3, node-4), timing instant",
        f"State: {reconciler_home / 'state.db'}",
    ]
    assert node_names(reconciler_home) == ["node-1", "node-2", "node-3", "node-4"]
    assert settings(reconciler_home) == ClusterSettings(nodes=4, timing=TimingName.INSTANT)


def test_create_refuses_to_replace_an_existing_cluster_without_force(reconciler_home: Path) -> None:
    assert runner.invoke(app, ["cluster", "create", "--nodes", "2"]).exit_code == 0
    refused = runner.invoke(app, ["cluster", "create"])
    assert isinstance(refused.exception, UsageError)
    assert "a cluster already exists" in str(refused.exception)
    assert "--force" in str(refused.exception)
    assert node_names(reconciler_home) == ["node-1", "node-2"]
    replaced = runner.invoke(app, ["cluster", "create", "--force", "--timing", "fast"])
    assert replaced.exit_code == 0, replaced.output
    assert node_names(reconciler_home) == ["node-1", "node-2", "node-3"]
    assert settings(reconciler_home) == ClusterSettings(nodes=3, timing=TimingName.FAST)


def test_create_refuses_an_unknown_timing(reconciler_home: Path) -> None:
    result = runner.invoke(app, ["cluster", "create", "--timing", "slow"])
    assert result.exit_code == 2
    assert not (reconciler_home / "state.db").exists()


def test_delete_removes_all_state(reconciler_home: Path) -> None:
    runner.invoke(app, ["cluster", "create"])
    result = runner.invoke(app, ["cluster", "delete"])
    assert result.exit_code == 0
    assert result.output == "Deleted cluster\n"
    assert not any(p.name.startswith("state.db") for p in reconciler_home.iterdir())
    again = runner.invoke(app, ["cluster", "delete"])
    assert again.exit_code == 0
    assert again.output == f"No cluster to delete in {reconciler_home}\n"


def test_cluster_info_says_where_the_cluster_lives(reconciler_home: Path) -> None:
    runner.invoke(app, ["cluster", "create", "--nodes", "2", "--timing", "fast"])
    result = runner.invoke(app, ["cluster-info"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Simulated control plane is running in {reconciler_home / 'state.db'}"
    assert lines[1] == "Nodes: 2 (2 Ready), timing fast"


def test_any_command_creates_a_default_cluster_on_first_use(reconciler_home: Path) -> None:
    result = runner.invoke(app, ["cluster-info"])
    assert result.exit_code == 0, result.output
    assert "Nodes: 3 (3 Ready), timing realistic" in result.output
    assert settings(reconciler_home) == ClusterSettings()
