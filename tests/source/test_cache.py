"""The per-file cache: unchanged files are not parsed again, changes and removals are reported,
and the on-disk store serves a new process and survives corruption."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from reconciler.source import cache as cache_module
from reconciler.source.cache import CACHE_FILE, SourceCache
from reconciler.source.diagnostics import Diagnostic
from reconciler.source.document import Document
from reconciler.source.files import SourceFile

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n"


def write(path: Path, name: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(POD.format(name=name))


def names(documents: list[Document]) -> list[str]:
    return [d.obj["metadata"]["name"] for d in documents]


def test_a_second_load_of_an_unchanged_folder_parses_nothing(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "a")
    write(tmp_path / "b.yaml", "b")
    cache = SourceCache()
    first = cache.load([str(tmp_path)])
    assert (first.parsed, len(first.changed)) == (2, 2)
    second = cache.load([str(tmp_path)])
    assert (second.parsed, second.changed, second.removed) == (0, frozenset(), frozenset())
    assert names(second.documents) == ["a", "b"]
    assert second.documents[0] is first.documents[0]


def test_only_the_changed_file_is_parsed_again(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "a")
    write(tmp_path / "b.yaml", "b")
    cache = SourceCache()
    cache.load([str(tmp_path)])
    write(tmp_path / "b.yaml", "bee")
    snapshot = cache.load([str(tmp_path)])
    assert snapshot.parsed == 1
    assert snapshot.changed == {str(tmp_path / "b.yaml")}
    assert names(snapshot.documents) == ["a", "bee"]


def test_a_touched_file_with_the_same_content_is_not_parsed_again(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "a")
    cache = SourceCache()
    cache.load([str(tmp_path)])
    stat = os.stat(tmp_path / "a.yaml")
    os.utime(tmp_path / "a.yaml", ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    snapshot = cache.load([str(tmp_path)])
    assert (snapshot.parsed, snapshot.changed) == (0, frozenset())


def test_new_and_removed_files_are_reported(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "a")
    cache = SourceCache()
    cache.load([str(tmp_path)])
    (tmp_path / "a.yaml").unlink()
    write(tmp_path / "c.yaml", "c")
    snapshot = cache.load([str(tmp_path)])
    assert snapshot.changed == {str(tmp_path / "c.yaml")}
    assert snapshot.removed == {str(tmp_path / "a.yaml")}


def test_forget_makes_the_next_load_read_the_file_again(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "a")
    cache = SourceCache()
    cache.load([str(tmp_path)])
    cache.forget([str(tmp_path / "a.yaml")])
    assert cache.load([str(tmp_path)]).changed == {str(tmp_path / "a.yaml")}


def test_after_recheck_contents_files_are_compared_by_their_bytes(tmp_path: Path) -> None:
    """What the daemon does with the folder it parsed before its watcher started: the next load
    reads every file, reuses what has the same bytes and parses the rest."""
    write(tmp_path / "a.yaml", "a")
    write(tmp_path / "b.yaml", "b")
    cache = SourceCache()
    first = cache.load([str(tmp_path)])
    cache.recheck_contents()
    write(tmp_path / "b.yaml", "c")  # same size
    snapshot = cache.load([str(tmp_path)])
    assert (snapshot.parsed, snapshot.changed) == (1, {str(tmp_path / "b.yaml")})
    assert snapshot.documents[0] is first.documents[0]
    assert names(snapshot.documents) == ["a", "c"]
    assert cache.load([str(tmp_path)]).parsed == 0


def test_the_checker_runs_once_per_parsed_document(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "a")
    checked: list[str] = []

    def checker(document: Document) -> list[Diagnostic]:
        checked.append(document.obj["metadata"]["name"])
        return []

    cache = SourceCache(checker=checker)
    cache.load([str(tmp_path)])
    cache.load([str(tmp_path)])
    assert checked == ["a"]


def test_the_disk_store_serves_a_new_cache_without_parsing(tmp_path: Path) -> None:
    folder, state = tmp_path / "m", tmp_path / "state"
    write(folder / "a.yaml", "a")
    first = SourceCache(disk=state, salt="v1").load([str(folder)])
    second = SourceCache(disk=state, salt="v1").load([str(folder)])
    assert (first.parsed, second.parsed) == (1, 0)
    assert names(second.documents) == ["a"]
    assert second.documents[0].locate(("metadata", "name")) == (4, 9)


def test_a_different_salt_ignores_what_the_disk_store_holds(tmp_path: Path) -> None:
    folder, state = tmp_path / "m", tmp_path / "state"
    write(folder / "a.yaml", "a")
    SourceCache(disk=state, salt="v1").load([str(folder)])
    assert SourceCache(disk=state, salt="v2").load([str(folder)]).parsed == 1


def test_a_corrupt_disk_store_is_an_empty_one(tmp_path: Path) -> None:
    folder, state = tmp_path / "m", tmp_path / "state"
    write(folder / "a.yaml", "a")
    state.mkdir()
    (state / CACHE_FILE).write_bytes(b"\x00garbage\xff" * 100)
    snapshot = SourceCache(disk=state).load([str(folder)])
    assert (snapshot.parsed, names(snapshot.documents)) == (1, ["a"])
    assert SourceCache(disk=state).load([str(folder)]).parsed == 0


def test_a_full_disk_store_drops_old_entries_and_keeps_those_just_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "MAX_DISK_ENTRIES", 2)
    state, old, new = tmp_path / "state", tmp_path / "old", tmp_path / "new"
    write(old / "a.yaml", "a")
    SourceCache(disk=state).load([str(old)])
    for name in ("b", "c", "d"):
        write(new / f"{name}.yaml", name)
    SourceCache(disk=state).load([str(new)])
    assert SourceCache(disk=state).load([str(new)]).parsed == 0
    assert SourceCache(disk=state).load([str(old)]).parsed == 1


def test_stdin_is_read_every_time(tmp_path: Path) -> None:
    stdin = io.BytesIO(POD.format(name="piped").encode())
    snapshot = SourceCache(stdin=stdin).load(["-"])
    assert names(snapshot.documents) == ["piped"]
    assert snapshot.documents[0].path == "STDIN"


def test_a_file_that_vanished_before_reading_is_a_diagnostic(tmp_path: Path) -> None:
    gone = SourceFile(tmp_path / "gone.yaml", "gone.yaml")
    snapshot = SourceCache().load_files([gone])
    assert [str(d) for d in snapshot.diagnostics] == [
        "gone.yaml: error: cannot read: No such file or directory"
    ]


def test_a_reading_is_fingerprinted_by_names_and_contents_not_by_stat(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "a")
    write(tmp_path / "b.yaml", "b")

    def fingerprint() -> str:
        return SourceCache().read([str(tmp_path)]).fingerprint()

    first = fingerprint()
    stat = os.stat(tmp_path / "a.yaml")
    os.utime(tmp_path / "a.yaml", ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    assert fingerprint() == first
    write(tmp_path / "a.yaml", "x")  # the same size
    changed = fingerprint()
    assert changed != first
    (tmp_path / "b.yaml").rename(tmp_path / "c.yaml")
    assert fingerprint() not in (first, changed)
    missing = SourceCache().read([str(tmp_path), str(tmp_path / "gone")]).fingerprint()
    assert missing != fingerprint()


def test_reading_then_loading_the_reading_is_a_load(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "a")
    cache = SourceCache()
    reading = cache.read([str(tmp_path)])
    assert (len(reading.files), reading.problems) == (1, ())
    snapshot = cache.load_reading(reading)
    assert (snapshot.parsed, names(snapshot.documents)) == (1, ["a"])
    assert cache.load_reading(cache.read([str(tmp_path)])).parsed == 0
