"""Shell completion of types, names and namespaces: read-only, and never an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.cli.completion import complete_namespaces, complete_resources, type_names
from tests.cli.conftest import Arrange
from tests.cli.workloads import kubia_rc, namespace, pod


def test_types_complete_in_every_spelling() -> None:
    names = type_names()
    assert {"pods", "pod", "po", "rc", "replicationcontrollers", "svc", "all"} <= set(names)
    assert complete_resources(["get"], "repl") == [
        "replicaset",
        "replicasets",
        "replicationcontroller",
        "replicationcontrollers",
    ]


def test_without_a_cluster_names_complete_to_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECONCILER_HOME", str(tmp_path / "none"))
    assert complete_resources(["get", "pods"], "") == []
    assert complete_namespaces("") == []
    assert not (tmp_path / "none").exists()


def test_names_complete_from_the_cluster_for_the_typed_type(arrange: Arrange) -> None:
    arrange(namespace("team"), pod("web"), pod("worker"), pod("other", "team"), kubia_rc())
    assert complete_resources(["get", "pods"], "w") == ["web", "worker"]
    assert complete_resources(["describe", "rc"], "") == ["kubia"]
    assert complete_resources(["get", "pods", "-n", "team"], "") == ["other"]
    assert complete_resources(["get"], "po/we") == ["po/web"]
    assert complete_namespaces("t") == ["team"]


def test_an_unknown_type_completes_to_nothing(arrange: Arrange) -> None:
    assert complete_resources(["get", "frobs"], "") == []
