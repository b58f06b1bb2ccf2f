"""Shell completion of types, names and namespaces, through typer's real completion machinery:
read-only, and never an error."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from reconciler.cli.app import app
from reconciler.cli.completion import type_names
from tests.cli.conftest import Arrange
from tests.cli.workloads import kubia_rc, namespace, pod

runner = CliRunner()


def complete(line: str) -> list[str]:
    """What bash completion offers for the last word of `line` (a trailing space: a new word)."""
    words = line.split()
    current = len(words) if line.endswith(" ") else len(words) - 1
    result = runner.invoke(
        app,
        [],
        prog_name="reconciler",
        env={
            "_RECONCILER_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(current),
        },
    )
    assert result.exit_code == 0, result.output
    return result.stdout.split()


@pytest.mark.usefixtures("reconciler_home")
def test_types_complete_in_every_spelling() -> None:
    assert {"pods", "pod", "po", "rc", "replicationcontrollers", "svc", "all"} <= set(type_names())
    assert complete("reconciler get repl") == [
        "replicaset",
        "replicasets",
        "replicationcontroller",
        "replicationcontrollers",
    ]


@pytest.mark.usefixtures("reconciler_home")
def test_commands_complete() -> None:
    assert complete("reconciler desc") == ["describe"]


def test_without_a_cluster_names_complete_to_nothing_and_nothing_is_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECONCILER_HOME", str(tmp_path / "none"))
    assert complete("reconciler get pods ") == []
    assert complete("reconciler get pods -n ") == []
    assert not (tmp_path / "none").exists()


def test_names_complete_from_the_cluster_for_the_typed_type(arrange: Arrange) -> None:
    arrange(namespace("team"), pod("web"), pod("worker"), pod("other", "team"), kubia_rc())
    assert complete("reconciler get pods w") == ["web", "worker"]
    assert complete("reconciler describe rc ") == ["kubia"]
    assert complete("reconciler get pods -n team ") == ["other"]
    assert complete("reconciler delete po/we") == ["po/web"]
    assert complete("reconciler get pods -n t") == ["team"]
    assert complete("reconciler label pod we") == ["web"]


def test_an_unknown_type_completes_to_nothing(arrange: Arrange) -> None:
    assert complete("reconciler get frobs ") == []
