"""`reconciler validate`: one line per problem pointing at file:line:col, a summary, exit 0 when
valid and 1 when not, JSON for machines, stdin with `-`; a second run over unchanged files prints
the same from the memo of summaries."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reconciler.cli.app import app
from reconciler.source.cache import CACHE_FILE
from reconciler.source.summary import MEMO_FILE
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


def folder_with_findings(root: Path) -> Path:
    """An error, a warning and a valid object."""
    root.mkdir()
    (root / "rc.yaml").write_text(BROKEN_RC)
    (root / "empty.yaml").write_text("")
    (root / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  ports: [{port: 80}]\n"
    )
    return root


def test_a_second_run_prints_from_the_memo_exactly_what_the_first_printed(
    tmp_path: Path, home: Path
) -> None:
    folder = str(folder_with_findings(tmp_path / "m"))
    text, as_json = run(folder, "--no-cache"), run(folder, "-o", "json", "--no-cache")
    assert text[0] == as_json[0] == 1
    assert text[1].splitlines()[-1] == "3 files, 2 objects: 1 error, 1 warning"
    assert run(folder) == text
    (home / "cache" / CACHE_FILE).unlink()  # a memo hit does not need the per-file results
    assert run(folder) == text
    assert run(folder, "-o", "json") == as_json
    assert not (home / "cache" / CACHE_FILE).exists()


def test_a_changed_file_is_checked_again_although_its_summary_is_remembered(
    tmp_path: Path,
) -> None:
    folder = folder_with_findings(tmp_path / "m")
    run(str(folder))
    rc = folder / "rc.yaml"
    before = os.stat(rc)
    rc.write_text(BROKEN_RC.replace("three", "3    "))
    os.utime(rc, ns=(before.st_atime_ns, before.st_mtime_ns))
    code, output = run(str(folder))
    assert (code, output.splitlines()[-1]) == (0, "3 files, 2 objects: valid, 1 warning")


def test_a_corrupt_memo_is_ignored_and_written_again(tmp_path: Path, home: Path) -> None:
    folder = str(folder_with_findings(tmp_path / "m"))
    expected = run(folder, "--no-cache")
    (home / "cache").mkdir(parents=True)
    (home / "cache" / MEMO_FILE).write_bytes(b"\xff" * 64)
    assert run(folder) == expected
    (home / "cache" / CACHE_FILE).unlink()
    assert run(folder) == expected
    assert not (home / "cache" / CACHE_FILE).exists()


def test_standard_input_is_answered_from_the_memo_by_its_content() -> None:
    valid = BROKEN_RC.replace("three", "3")
    assert run("-", stdin=valid) == (0, "1 file, 1 object: valid\n")
    assert run("-", stdin=BROKEN_RC)[0] == 1
    assert run("-", stdin=valid) == (0, "1 file, 1 object: valid\n")


POD_WITHOUT_SPEC = "apiVersion: v1\nkind: Pod\nmetadata: {name: bare}\n"


def test_a_program_with_other_schemas_does_not_reuse_remembered_summaries(
    tmp_path: Path, home: Path
) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "pod.yaml").write_text(POD_WITHOUT_SPEC)
    other = tmp_path / "other"  # the same program, but its Pod schema does not require a spec
    shutil.copytree(
        REPO / "reconciler", other / "reconciler", ignore=shutil.ignore_patterns("__pycache__")
    )
    pod_schema = other / "reconciler" / "schemas" / "pod.json"
    schema = json.loads(pod_schema.read_text())
    schema["required"].remove("spec")
    pod_schema.write_text(json.dumps(schema))

    def validate(package: Path) -> tuple[int, str]:
        result = subprocess.run(
            [sys.executable, "-m", "reconciler", "validate", str(tmp_path / "m")],
            env={**os.environ, "RECONCILER_HOME": str(home), "PYTHONPATH": str(package)},
            cwd=tmp_path,  # not the repository, whose package `-m` would find first
            capture_output=True,
            text=True,
            check=False,
        )
        return result.returncode, result.stdout

    ours = validate(REPO)
    assert ours[0] == 1
    assert validate(other) == (0, "1 file, 1 object: valid\n")
    assert validate(REPO) == ours


_LOADED = """
import sys
from reconciler.cli.app import main
sys.argv = ["reconciler", "validate", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(" ".join(sorted(sys.modules)))
"""


def test_a_run_answered_from_the_memo_loads_neither_parser_checks_nor_json(
    tmp_path: Path, home: Path
) -> None:
    folder = str(folder_with_findings(tmp_path / "m"))

    def loaded() -> set[str]:
        command = [sys.executable, "-c", _LOADED, folder]
        env = {**os.environ, "RECONCILER_HOME": str(home)}
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        return set(result.stdout.splitlines()[-1].split())

    heavy = {"json", "ruamel.yaml", "jsonschema"}
    checks = {"reconciler.source.loader", "reconciler.source.rules", "reconciler.source.schema"}
    assert heavy | checks <= loaded()
    assert not (heavy | checks | {"multiprocessing"}) & loaded()
