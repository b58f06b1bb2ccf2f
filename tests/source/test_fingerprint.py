"""A stat fingerprint vouches for files only once they have settled, and any change moves it."""

from __future__ import annotations

import os
from pathlib import Path

from reconciler.source.files import SourceFile
from reconciler.source.fingerprint import UNCHANGED_FOR_NS, stat_fingerprint


def settled_at(*paths: Path) -> int:
    """A time (ns) late enough for these files' last changes to count as settled."""
    return max(os.stat(path).st_ctime_ns for path in paths) + 2 * UNCHANGED_FOR_NS


def test_a_stat_fingerprint_vouches_only_for_files_settled_before_it_was_taken(
    tmp_path: Path,
) -> None:
    manifest = tmp_path / "a.yaml"
    manifest.write_text("kind: Pod\n")
    files = [SourceFile(str(manifest), "a.yaml")]
    just_now = os.stat(manifest).st_ctime_ns
    assert stat_fingerprint(files, [], taken_at=just_now) is None
    settled = stat_fingerprint(files, [], taken_at=settled_at(manifest))
    assert settled is not None
    assert stat_fingerprint(files, [], taken_at=settled_at(manifest)) == settled
    stdin = [*files, SourceFile(None, "<stdin>")]
    assert stat_fingerprint(stdin, [], taken_at=settled_at(manifest)) is None


def test_any_change_to_a_file_changes_its_stat_fingerprint(tmp_path: Path) -> None:
    manifest = tmp_path / "a.yaml"
    manifest.write_text("kind: Pod\n")
    files = [SourceFile(str(manifest), "a.yaml")]
    before = stat_fingerprint(files, [], taken_at=settled_at(manifest))
    times = os.stat(manifest)
    manifest.write_text("kind: Pot\n")  # same size, then the same mtime
    os.utime(manifest, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert stat_fingerprint(files, [], taken_at=settled_at(manifest)) != before
