"""Which files PATH arguments name: folders walked recursively, hidden and editor files and
`.reconcilerignore` patterns skipped, symbolic links never followed out of the folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.source.files import (
    STDIN_NAME,
    ManifestTree,
    collect,
    is_editor_temp,
    is_manifest_name,
)
from reconciler.source.ignore import IgnoreRules


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("kind: Pod\n")


def names(tree: ManifestTree) -> list[str]:
    return [path.relative_to(tree.root).as_posix() for path in tree.files()]


@pytest.mark.parametrize(
    "name", ["4913", "rc.yaml~", ".rc.yaml.swp", "rc.yaml.swx", "#rc.yaml#", ".#rc.yaml", "x.tmp"]
)
def test_editor_temporary_files_are_recognised(name: str) -> None:
    assert is_editor_temp(name)
    assert not is_manifest_name(name)


@pytest.mark.parametrize(
    ("name", "wanted"),
    [
        ("rc.yaml", True),
        ("svc.yml", True),
        ("pod.json", True),
        ("RC.YAML", True),
        ("notes.txt", False),
        (".hidden.yaml", False),
        ("Makefile", False),
    ],
)
def test_manifest_names_are_yaml_and_json_files(name: str, wanted: bool) -> None:
    assert is_manifest_name(name) is wanted


def test_a_folder_is_walked_recursively_in_name_order(tmp_path: Path) -> None:
    touch(tmp_path, "b.yaml", "a.yml", "sub/c.json", "sub/deeper/d.yaml", "notes.txt", "rc.yaml~")
    assert names(ManifestTree(tmp_path)) == ["a.yml", "b.yaml", "sub/c.json", "sub/deeper/d.yaml"]


def test_hidden_folders_such_as_git_are_skipped(tmp_path: Path) -> None:
    touch(tmp_path, ".git/config.yaml", ".github/workflows/ci.yml", "rc.yaml")
    assert names(ManifestTree(tmp_path)) == ["rc.yaml"]


def test_reconcilerignore_patterns_are_honoured(tmp_path: Path) -> None:
    touch(tmp_path, "rc.yaml", "kustomization.yaml", "drafts/x.yaml", "ci/a.yaml", "ci/keep.yaml")
    (tmp_path / ".reconcilerignore").write_text(
        "# not manifests\nkustomization.yaml\ndrafts/\nci/*.yaml\n!ci/keep.yaml\n"
    )
    assert names(ManifestTree(tmp_path)) == ["ci/keep.yaml", "rc.yaml"]


def test_an_ignore_file_in_a_subfolder_applies_below_it(tmp_path: Path) -> None:
    touch(tmp_path, "app/old.yaml", "app/new.yaml", "old.yaml")
    (tmp_path / "app" / ".reconcilerignore").write_text("old.yaml\n")
    assert names(ManifestTree(tmp_path)) == ["app/new.yaml", "old.yaml"]


def test_the_watcher_test_agrees_with_the_walk(tmp_path: Path) -> None:
    touch(tmp_path, "rc.yaml", "drafts/x.yaml")
    (tmp_path / ".reconcilerignore").write_text("drafts/\n")
    tree = ManifestTree(tmp_path)
    assert tree.wants(tmp_path / "rc.yaml")
    assert tree.wants(tmp_path / "new.yaml")
    assert not tree.wants(tmp_path / "drafts" / "x.yaml")
    assert not tree.wants(tmp_path / "drafts", directory=True)
    assert not tree.wants(tmp_path / ".git" / "x.yaml")
    assert not tree.wants(tmp_path / "4913")
    assert not tree.wants(tmp_path / "rc.yaml.swp")
    assert not tree.wants(tmp_path.parent / "elsewhere.yaml")


def test_symbolic_links_inside_the_folder_are_followed_and_links_out_are_not(
    tmp_path: Path,
) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    touch(root, "shared/rc.yaml")
    touch(outside, "secret.yaml")
    os.symlink(root / "shared", root / "alias")
    os.symlink(outside, root / "out")
    os.symlink(outside / "secret.yaml", root / "linked.yaml")
    os.symlink(root, root / "shared" / "loop")
    os.symlink(root / "shared" / "rc.yaml", root / "same.yaml")
    assert names(ManifestTree(root)) == ["shared/rc.yaml"]


def test_a_link_to_a_hidden_folder_inside_is_followed(tmp_path: Path) -> None:
    touch(tmp_path, ".releases/v2/rc.yaml")
    os.symlink(tmp_path / ".releases" / "v2", tmp_path / "current")
    assert names(ManifestTree(tmp_path)) == ["current/rc.yaml"]


def test_collect_names_files_as_the_user_wrote_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(tmp_path, "manifests/rc.yaml", "manifests/svc.yaml", "single.txt")
    monkeypatch.chdir(tmp_path)
    files, problems = collect(["manifests/", "single.txt", "-", "manifests/rc.yaml", "nothere"])
    assert [f.display for f in files] == [
        "manifests/rc.yaml",
        "manifests/svc.yaml",
        "single.txt",
        STDIN_NAME,
    ]
    assert files[3].path is None
    assert [str(p) for p in problems] == ["nothere: error: no such file or directory"]


@pytest.mark.parametrize("spelling", [".", "./", "manifests/../", "./manifests//", "manifests"])
def test_a_walked_file_is_named_as_display_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    touch(tmp_path, "manifests/rc.yaml", "manifests/apps/svc.yaml")
    monkeypatch.chdir(tmp_path)
    tree = ManifestTree(Path(spelling), spelling)
    found = tree.entries()
    assert [tree.display_relative(f.relative) for f in found] == [
        tree.display(Path(f.path)) for f in found
    ]
    assert [f.display for f in collect([spelling])[0]] == [
        tree.display(Path(f.path)) for f in found
    ]


@pytest.mark.parametrize(
    ("pattern", "path", "directory", "ignored"),
    [
        ("*.json", "a/b/c.json", False, True),
        ("/top.yaml", "top.yaml", False, True),
        ("/top.yaml", "sub/top.yaml", False, False),
        ("build/", "build", True, True),
        ("build/", "build", False, False),
        ("a/**/z.yaml", "a/b/c/z.yaml", False, True),
        ("a/**/z.yaml", "a/z.yaml", False, True),
        ("**/tmp", "x/y/tmp", True, True),
        ("logs/**", "logs/a/b.yaml", False, True),
        ("v?.yaml", "v1.yaml", False, True),
        ("v[0-9].yaml", "vx.yaml", False, False),
        ("\\#odd.yaml", "#odd.yaml", False, True),
        ("doc/*.yaml", "doc/sub/x.yaml", False, False),
    ],
)
def test_gitignore_patterns(pattern: str, path: str, directory: bool, ignored: bool) -> None:
    assert IgnoreRules().extended(pattern).matches(path, directory=directory) is ignored


def test_the_last_matching_rule_wins_but_an_ignored_folder_stays_ignored() -> None:
    rules = IgnoreRules().extended("*.yaml\n!keep.yaml\nold/\n!old/keep.yaml\n")
    assert rules.ignores("x.yaml")
    assert not rules.ignores("keep.yaml")
    assert rules.ignores("old/keep.yaml")
