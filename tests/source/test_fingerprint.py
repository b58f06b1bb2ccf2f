"""A stat fingerprint vouches for files only once they have settled, and any change moves it."""

from __future__ import annotations

import os
from pathlib import Path

from reconciler.source.files import SourceFile
from reconciler.source.fingerprint import (
    UNCHANGED_FOR_NS,
    WHOLE_SECONDS_UNCHANGED_FOR_NS,
    settled,
    stat_fingerprint,
)


def settled_at(*paths: Path) -> int:
    """A time (ns) late enough for these files' last changes to count as settled."""
    return max(os.stat(path).st_ctime_ns for path in paths) + 2 * WHOLE_SECONDS_UNCHANGED_FOR_NS


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


def test_a_file_settles_after_a_tenth_of_a_second_or_two_seconds_when_stamped_in_seconds() -> None:
    changed = 1_764_000_000_123_456_789
    assert not settled(changed, taken_at=changed + UNCHANGED_FOR_NS)
    assert settled(changed, taken_at=changed + UNCHANGED_FOR_NS + 1)
    whole = 1_764_000_000_000_000_000  # a file system that keeps seconds, or even ones (FAT)
    assert not settled(whole, taken_at=whole + 1_999_999_999)
    assert settled(whole, taken_at=whole + WHOLE_SECONDS_UNCHANGED_FOR_NS + 1)
    assert not settled(changed, taken_at=changed - 1)  # stamped in the future: never settled
