"""`reconciler validate`: one line per problem pointing at file:line:col, a summary, exit 0 when
valid and 1 when not, JSON for machines, stdin with `-`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reconciler.cli.app import app
from tests.processes import run_reconciler

REPO = Path(__file__).resolve().parents[2]
BROKEN_RC = """\
apiVersion: v1
kind: ReplicationController
metadata:
  name: kubia
spec:
  replicas: three
  template:
    metadata:
      labels: {app: kubia}
    spec:
      containers:
      - name: kubia
        image: luksa/kubia
"""


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RECONCILER_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(REPO)
    return tmp_path / "home"


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", *args], input=stdin)
    return result.exit_code, result.output


def test_the_example_folder_is_valid() -> None:
    assert run("manifests/") == (0, "2 files, 2 objects: valid\n")


def test_problems_are_one_line_each_then_a_summary_and_exit_1(tmp_path: Path) -> None:
    (tmp_path / "rc.yaml").write_text(BROKEN_RC)
    (tmp_path / "svc.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: x}\n")
    code, output = run(str(tmp_path))
    assert code == 1
    assert output.splitlines() == [
        f'{tmp_path}/rc.yaml:6:13: error: spec.replicas: Invalid value: "three": must be an '
        "integer (replicationcontroller/kubia)",
        f"{tmp_path}/svc.yaml:1:1: error: spec.ports: Required value (service/x)",
        "2 files, 2 objects: 2 errors",
    ]


def test_json_output_carries_the_same_findings(tmp_path: Path) -> None:
    (tmp_path / "rc.yaml").write_text(BROKEN_RC)
    code, output = run(str(tmp_path / "rc.yaml"), "-o", "json")
    report = json.loads(output)
    assert code == 1
    assert (report["valid"], report["files"], report["errors"], report["warnings"]) == (
        False,
        1,
        1,
        0,
    )
    assert report["objects"] == [
        {
            "object": "replicationcontroller/kubia",
            "apiVersion": "v1",
            "kind": "ReplicationController",
            "namespace": None,
            "name": "kubia",
            "path": f"{tmp_path}/rc.yaml",
            "line": 1,
            "column": 1,
        }
    ]
    assert report["diagnostics"] == [
        {
            "path": f"{tmp_path}/rc.yaml",
            "line": 6,
            "column": 13,
            "severity": "error",
            "message": 'spec.replicas: Invalid value: "three": must be an integer',
            "object": "replicationcontroller/kubia",
            "field": "spec.replicas",
        }
    ]


def test_standard_input_is_read_with_a_dash() -> None:
    code, output = run("-", stdin=BROKEN_RC.replace("three", "3"))
    assert (code, output) == (0, "1 file, 1 object: valid\n")
    code, output = run("-", stdin="kind: Pod\nspec: [\n")
    assert code == 1
    assert output.splitlines()[0].startswith("STDIN:3:1: error: YAML syntax error")


def test_a_missing_path_and_an_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("")
    code, output = run(str(tmp_path / "empty.yaml"), str(tmp_path / "nothere"))
    assert code == 1
    assert output.splitlines() == [
        f"{tmp_path}/nothere: error: no such file or directory",
        f"{tmp_path}/empty.yaml:1:1: warning: no objects in this file",
        "1 file, 0 objects: 1 error, 1 warning",
    ]


def test_a_second_run_answers_from_the_cache_with_the_same_output(
    tmp_path: Path, home: Path
) -> None:
    (tmp_path / "rc.yaml").write_text(BROKEN_RC)
    first = run(str(tmp_path))
    assert (home / "cache").is_dir()
    assert run(str(tmp_path)) == first
    assert run(str(tmp_path), "--no-cache") == first


def test_the_real_process_validates_the_example_folder(home: Path) -> None:
    result = run_reconciler("validate", "manifests/", home=home, cwd=REPO)
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "2 files, 2 objects: valid\n",
        "",
    )
