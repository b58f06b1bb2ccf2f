"""Validating whole paths: diagnostics point at the exact line and column in the file, objects
declared twice are caught across files, bad files never stop the others from being checked."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.source import rules
from reconciler.source.diagnostics import Severity
from reconciler.source.validate import (
    VERDICT_LIBRARIES,
    library_stamps,
    salted_files,
    validate_object,
    validate_paths,
)
from tests.kubia import rc_yaml

EXAMPLE = Path(__file__).resolve().parents[2] / "manifests"

# The kubia RC with two mistakes: replicas that is no integer, a misspelt container field.
RC = rc_yaml("three").replace(
    "        ports:\n        - containerPort: 8080\n", "        imagePullPolice: Always\n"
)


def lines(report_paths: list[str]) -> list[str]:
    return [str(d) for d in validate_paths(report_paths).diagnostics]


def test_the_example_folder_is_valid() -> None:
    report = validate_paths([str(EXAMPLE)])
    assert report.valid
    assert (report.files, len(report.documents), report.diagnostics) == (2, 2, ())


def test_problems_point_at_the_offending_value_or_key(tmp_path: Path) -> None:
    (tmp_path / "rc.yaml").write_text(RC)
    assert lines([str(tmp_path / "rc.yaml")]) == [
        f'{tmp_path}/rc.yaml:6:13: error: spec.replicas: Invalid value: "three": must be an '
        "integer (replicationcontroller/kubia)",
        f"{tmp_path}/rc.yaml:17:9: error: unknown field "
        '"spec.template.spec.containers[0].imagePullPolice", did you mean "imagePullPolicy"? '
        "(replicationcontroller/kubia)",
    ]


def test_a_missing_field_points_at_the_object_it_is_missing_from(tmp_path: Path) -> None:
    (tmp_path / "rc.yaml").write_text(
        RC.replace("three", "3")
        .replace("        imagePullPolice: Always\n", "")
        .replace("        image: luksa/kubia\n", "")
    )
    assert lines([str(tmp_path / "rc.yaml")]) == [
        f"{tmp_path}/rc.yaml:15:9: error: spec.template.spec.containers[0].image: Required value "
        "(replicationcontroller/kubia)"
    ]


def test_an_object_declared_twice_is_an_error_naming_both_places(tmp_path: Path) -> None:
    valid = RC.replace("three", "3").replace("        imagePullPolice: Always\n", "")
    (tmp_path / "a.yaml").write_text(valid)
    (tmp_path / "b.yaml").write_text("---\n" + valid)
    (tmp_path / "c.yaml").write_text(
        valid.replace("name: kubia\nspec", "name: kubia\n  namespace: other\nspec")
    )
    assert lines([str(tmp_path)]) == [
        f'{tmp_path}/b.yaml:5:9: error: replicationcontroller "kubia" in namespace "default" is '
        f"declared twice; first at {tmp_path}/a.yaml:4:9 (replicationcontroller/kubia)"
    ]


def test_every_bad_file_is_one_line_and_the_good_files_are_still_checked(tmp_path: Path) -> None:
    (tmp_path / "0-good.yaml").write_text(
        RC.replace("three", "3").replace("        imagePullPolice: Always\n", "")
    )
    (tmp_path / "1-syntax.yaml").write_text("kind: Pod\nspec: [\n")
    (tmp_path / "2-tabs.yaml").write_text("kind: Pod\nspec:\n\tx: 1\n")
    (tmp_path / "3-dup-key.yaml").write_text("kind: Pod\nkind: Pod\n")
    (tmp_path / "4-list.yaml").write_text("- a\n")
    (tmp_path / "5-no-kind.yaml").write_text("apiVersion: v1\nmetadata: {name: x}\n")
    (tmp_path / "6-unknown-kind.yaml").write_text(
        "apiVersion: v1\nkind: Foo\nmetadata: {name: x}\n"
    )
    (tmp_path / "7-latin1.yaml").write_bytes(b"kind: Pod\nname: caf\xe9\n")
    (tmp_path / "8-binary.json").write_bytes(b"\x00\x01\x02")
    (tmp_path / "9-empty.yaml").write_text("")
    (tmp_path / "a-bomb.yaml").write_text(
        'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n'
        + "".join(
            f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n"
            for n, p in zip("bcdefg", "abcdef", strict=True)
        )
    )
    (tmp_path / "b-deep.yaml").write_text("[" * 10_000)
    report = validate_paths([str(tmp_path)])
    by_file = {}
    for diagnostic in report.diagnostics:
        by_file.setdefault(Path(diagnostic.path).name, []).append(diagnostic)
    assert sorted(by_file) == [
        "1-syntax.yaml",
        "2-tabs.yaml",
        "3-dup-key.yaml",
        "4-list.yaml",
        "5-no-kind.yaml",
        "6-unknown-kind.yaml",
        "7-latin1.yaml",
        "8-binary.json",
        "9-empty.yaml",
        "a-bomb.yaml",
        "b-deep.yaml",
    ]
    assert all(len(found) == 1 for found in by_file.values())
    assert by_file["9-empty.yaml"][0].severity is Severity.WARNING
    assert [
        d.obj["metadata"]["name"]
        for d in report.documents
        if d.obj.get("kind") == "ReplicationController"
    ] == ["kubia"]
    assert not report.valid
    assert report.errors == 10


def test_an_empty_file_among_others_is_only_a_warning(tmp_path: Path) -> None:
    (tmp_path / "rc.yaml").write_text(
        RC.replace("three", "3").replace("        imagePullPolice: Always\n", "")
    )
    (tmp_path / "empty.yaml").write_text("# nothing yet\n")
    report = validate_paths([str(tmp_path)])
    assert report.valid
    assert [str(d) for d in report.diagnostics] == [
        f"{tmp_path}/empty.yaml:1:1: warning: no objects in this file"
    ]


def test_no_objects_at_all_is_an_error_as_kubectl_says_for_apply(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_text("")
    report = validate_paths([str(tmp_path)])
    assert not report.valid
    assert str(report.diagnostics[-1]) == f"error: no objects found in {tmp_path}"


def test_a_missing_path_is_an_error_and_the_rest_is_checked(tmp_path: Path) -> None:
    report = validate_paths([str(EXAMPLE), str(tmp_path / "nothere.yaml")])
    assert [str(d) for d in report.diagnostics] == [
        f"{tmp_path}/nothere.yaml: error: no such file or directory"
    ]
    assert len(report.documents) == 2


def test_an_object_without_a_file_is_validated_without_positions() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "Kubia"},
        "spec": {"containers": [{"name": "kubia", "image": "luksa/kubia", "portz": []}]},
    }
    found = validate_object(pod)
    assert [(d.path, d.line, d.column, d.object) for d in found] == [("", 0, 0, "pod/Kubia")] * 2
    assert [d.field for d in found] == ["spec.containers[0].portz", "metadata.name"]
    assert str(found[0]) == (
        'error: unknown field "spec.containers[0].portz", did you mean "ports"? (pod/Kubia)'
    )


# Which of the parse-and-check modules a fresh process imported to validate a folder.
_IMPORTED = """
import sys
from pathlib import Path
from reconciler.source.validate import summarize_paths, validate_paths
validate = summarize_paths if sys.argv[3] == "summary" else validate_paths
before = set(sys.modules)
result = validate([sys.argv[1]], disk=Path(sys.argv[2]), workers=1)
heavy = (
    "ruamel.yaml",
    "fastjsonschema",
    "jsonschema",
    "reconciler.source.cache",
    "reconciler.source.document",
    "reconciler.source.loader",
    "reconciler.source.rules",
)
print(result.valid, [name for name in heavy if name in sys.modules])
print(sorted(set(sys.modules) - before))
"""


def imported(state: Path, function: str) -> list[str]:
    command = [sys.executable, "-c", _IMPORTED, str(EXAMPLE), str(state), function]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.splitlines()


def test_a_folder_served_from_the_disk_cache_needs_neither_parser_nor_checks(
    tmp_path: Path,
) -> None:
    # jsonschema only explains invalid objects, and the example folder has none.
    cache = ["reconciler.source.cache", "reconciler.source.document"]
    cold = [
        "ruamel.yaml",
        "fastjsonschema",
        *cache,
        "reconciler.source.loader",
        "reconciler.source.rules",
    ]
    assert imported(tmp_path, "report")[0] == f"True {cold}"
    assert imported(tmp_path, "report")[0] == f"True {cache}"


def test_a_run_answered_from_the_memo_imports_nothing_more_than_its_own_modules(
    tmp_path: Path,
) -> None:
    # Not even the per-file cache: the files' stat and the memo answer it.
    imported(tmp_path, "summary")
    assert imported(tmp_path, "summary") == ["True []", "[]"]


_RECONCILER_MODULES = """
import sys
from reconciler.source.validate import validate_paths
validate_paths([sys.argv[1]])
for name, module in sorted(sys.modules.items()):
    if name.startswith("reconciler"):
        print(module.__file__)
"""


def test_the_cache_salt_covers_every_module_that_parsing_and_checking_import() -> None:
    command = [sys.executable, "-c", _RECONCILER_MODULES, str(EXAMPLE)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    imported = {Path(line) for line in output.split()}
    assert Path(rules.__file__) in imported
    assert imported <= set(salted_files())


def test_the_cache_salt_covers_the_libraries_that_parse_and_check() -> None:
    assert {"ruamel.yaml", "jsonschema", "fastjsonschema"} <= set(VERDICT_LIBRARIES)
    stamps = library_stamps(VERDICT_LIBRARIES)
    assert [stamp.split(":")[0] for stamp in stamps] == list(VERDICT_LIBRARIES)
    assert not any(stamp.endswith(":absent") for stamp in stamps)


def test_a_library_installed_anew_changes_its_stamp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "checker_library.py"
    module.write_text("VERSION = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = library_stamps(["checker_library"])
    module.write_text("VERSION = 22\n")
    os.utime(module, ns=(1, 1))
    assert library_stamps(["checker_library"]) != before
    assert library_stamps(["no_such_library_here"]) == ["no_such_library_here:absent"]
