"""The memo of validation summaries: a run over unchanged files is answered from it without
loading the per-file store, anything that could change the answer misses it, and a memo file
that cannot be read is an empty memo."""

from __future__ import annotations

import io
import os
from pathlib import Path

from reconciler.clock import VirtualClock
from reconciler.source.cache import CACHE_FILE
from reconciler.source.diagnostics import error
from reconciler.source.marshalled import read_value
from reconciler.source.summary import (
    MAX_SUMMARIES,
    MEMO_FILE,
    MEMO_FORMAT,
    ObjectSummary,
    Summary,
    SummaryMemo,
)
from reconciler.source.validate import summarize, summarize_paths, validate_paths
from tests.kubia import rc_yaml, service_yaml


def folder_with_findings(root: Path) -> Path:
    """Two valid objects, one error and one warning."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "rc.yaml").write_text(rc_yaml())
    (root / "svc.yaml").write_text(service_yaml())
    (root / "broken.yaml").write_text(rc_yaml("three").replace("name: kubia\n", "name: other\n"))
    (root / "empty.yaml").write_text("# nothing yet\n")
    return root


def summarized(root: Path, state: Path) -> Summary:
    return summarize_paths([str(root)], disk=state, workers=1)


def fresh(root: Path) -> Summary:
    """The summary with no cache at all: what every memo answer must equal."""
    return summarize_paths([str(root)], disk=None, workers=1)


def test_a_summary_is_the_report_without_its_documents(tmp_path: Path) -> None:
    root = folder_with_findings(tmp_path / "m")
    summary = fresh(root)
    assert summary == summarize(validate_paths([str(root)]))
    assert (summary.files, summary.errors, summary.warnings, summary.valid) == (4, 1, 1, False)
    assert summary.objects[0] == ObjectSummary(
        "replicationcontroller/other",
        "v1",
        "ReplicationController",
        None,
        "other",
        str(root / "broken.yaml"),
        1,
        1,
    )


def test_a_second_run_over_an_unchanged_folder_needs_no_per_file_results(
    tmp_path: Path,
) -> None:
    root, state = folder_with_findings(tmp_path / "m"), tmp_path / "state"
    first = summarized(root, state)
    (state / CACHE_FILE).unlink()
    assert summarized(root, state) == first == fresh(root)
    assert not (state / CACHE_FILE).exists()  # nothing was parsed, so nothing was stored


def test_new_content_of_the_same_size_and_mtime_misses_the_memo(tmp_path: Path) -> None:
    root, state = folder_with_findings(tmp_path / "m"), tmp_path / "state"
    summarized(root, state)
    rc = root / "rc.yaml"
    before = os.stat(rc)
    rc.write_text(rc_yaml().replace("name: kubia\n", "name: kubib\n"))
    os.utime(rc, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(rc).st_size == before.st_size
    summary = summarized(root, state)
    assert summary == fresh(root)
    assert "replicationcontroller/kubib" in [row.label for row in summary.objects]


def test_an_added_a_removed_and_a_renamed_file_each_miss_the_memo(tmp_path: Path) -> None:
    root, state = folder_with_findings(tmp_path / "m"), tmp_path / "state"
    summarized(root, state)
    (root / "twice.yaml").write_text(rc_yaml())  # declares the RC a second time
    added = summarized(root, state)
    assert added == fresh(root)
    assert added.errors == 2
    (root / "broken.yaml").unlink()
    removed = summarized(root, state)
    assert removed == fresh(root)
    assert removed.errors == 1
    (root / "twice.yaml").rename(root / "again.yaml")
    renamed = summarized(root, state)
    assert renamed == fresh(root)
    assert [d.path for d in renamed.diagnostics if d.is_error] == [str(root / "rc.yaml")]


def test_the_arguments_are_part_of_what_is_remembered(tmp_path: Path) -> None:
    root, state = tmp_path / "m", tmp_path / "state"
    root.mkdir()
    (root / "empty.yaml").write_text("")
    for argument in (str(root), f"{root}/"):
        summary = summarize_paths([argument], disk=state, workers=1)
        assert str(summary.diagnostics[-1]) == f"error: no objects found in {argument}"


def test_a_corrupt_memo_is_ignored_and_written_again(tmp_path: Path) -> None:
    root, state = folder_with_findings(tmp_path / "m"), tmp_path / "state"
    state.mkdir()
    (state / MEMO_FILE).write_bytes(b"\x00garbage\xff" * 100)
    assert summarized(root, state) == fresh(root)
    (state / CACHE_FILE).unlink()
    assert summarized(root, state) == fresh(root)
    assert not (state / CACHE_FILE).exists()


def test_standard_input_is_remembered_by_its_content(tmp_path: Path) -> None:
    state = tmp_path / "state"

    def piped(text: str) -> Summary:
        stdin = io.BytesIO(text.encode())
        return summarize_paths(["-"], disk=state, workers=1, stdin=stdin)

    assert piped(rc_yaml()).valid
    assert not piped(rc_yaml("three")).valid
    (state / CACHE_FILE).unlink()
    assert piped(rc_yaml()).valid
    assert not (state / CACHE_FILE).exists()


def some_summary(files: int) -> Summary:
    return Summary(files, (), (error("a.yaml", 1, 1, "wrong"),))


def test_a_summary_kept_under_one_salt_is_not_found_under_another(tmp_path: Path) -> None:
    memo = SummaryMemo(tmp_path / MEMO_FILE)
    memo.put(("salt-1", ("m",), "fingerprint"), some_summary(1), unchanged=None)
    again = SummaryMemo(tmp_path / MEMO_FILE)
    assert again.get(("salt-1", ("m",), "fingerprint")) == some_summary(1)
    assert again.get(("salt-2", ("m",), "fingerprint")) is None


def test_the_memo_keeps_only_the_newest_summaries(tmp_path: Path) -> None:
    memo = SummaryMemo(tmp_path / MEMO_FILE)
    for files in range(MAX_SUMMARIES + 1):
        memo.put(("salt", ("m",), str(files)), some_summary(files), unchanged=None)
    again = SummaryMemo(tmp_path / MEMO_FILE)
    assert again.get(("salt", ("m",), "0")) is None
    assert again.get(("salt", ("m",), "1")) == some_summary(1)
    assert again.get(("salt", ("m",), str(MAX_SUMMARIES))) == some_summary(MAX_SUMMARIES)


def test_files_settled_since_the_last_run_are_answered_by_their_stat(tmp_path: Path) -> None:
    root = folder_with_findings(tmp_path / "m")
    state = tmp_path / "state"
    settled = max(os.stat(path).st_ctime_ns for path in root.iterdir()) / 1e9 + 2
    later = VirtualClock(settled)
    first = summarize_paths([str(root)], disk=state, workers=1, clock=later)
    assert first == fresh(root)
    # The entry the run stored names the files' stat too: a different summary stored under that
    # stat (and another content) is what a run trusting the stat answers.
    (key, unchanged, _), *_ = read_value(state / MEMO_FILE, MEMO_FORMAT)
    assert unchanged is not None
    SummaryMemo(state / MEMO_FILE).put((*key[:2], "other"), some_summary(9), unchanged=unchanged)
    assert summarize_paths([str(root)], disk=state, workers=1, clock=later) == some_summary(9)
    # Told a time when the files had only just changed, a run reads them: their contents name
    # the summary of the first run.
    just_now = VirtualClock(settled - 2)
    assert summarize_paths([str(root)], disk=state, workers=1, clock=just_now) == first


def test_a_file_changed_since_the_last_run_is_read_although_the_rest_are_settled(
    tmp_path: Path,
) -> None:
    root = folder_with_findings(tmp_path / "m")
    state = tmp_path / "state"
    settled = max(os.stat(path).st_ctime_ns for path in root.iterdir()) / 1e9 + 2
    summarize_paths([str(root)], disk=state, workers=1, clock=VirtualClock(settled))
    broken = root / "broken.yaml"
    times = os.stat(broken)
    broken.write_text(rc_yaml("three"))  # fixed: now the same object as rc.yaml, a duplicate
    os.utime(broken, ns=(times.st_atime_ns, times.st_mtime_ns))
    changed = max(os.stat(path).st_ctime_ns for path in root.iterdir()) / 1e9 + 2
    again = summarize_paths([str(root)], disk=state, workers=1, clock=VirtualClock(changed))
    assert again == fresh(root)
