"""The folder watcher turns real filesystem events into debounced batches of changed paths."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.clock import monotonic
from reconciler.runtime.folder import ManifestFolder
from reconciler.runtime.watcher import (
    MAX_DELAY,
    MOVE_PAIRING,
    Batch,
    FolderLost,
    FolderWatcher,
)
from tests.waiting import wait_for

DEADLINE = 10.0


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "manifests"
    root.mkdir()
    return root


@pytest.fixture
def watcher(folder: Path) -> Iterator[FolderWatcher]:
    with FolderWatcher(folder, relevant=ManifestFolder(folder).relevant) as watching:
        yield watching


def next_batch(watcher: FolderWatcher) -> Batch:
    """The next batch, failing the test when none comes before the deadline."""
    batch = watcher.next_batch(DEADLINE)
    assert batch is not None, "no batch before the deadline"
    return batch


def drain(watcher: FolderWatcher, *, settle: float = 0.5) -> list[Batch]:
    """Every batch until none came for `settle` seconds (a bound, not a sleep: it returns as
    soon as the quiet period is over)."""
    batches = []
    while (batch := watcher.next_batch(settle)) is not None:
        batches.append(batch)
    return batches


def test_a_written_file_is_one_batch_with_its_path(folder: Path, watcher: FolderWatcher) -> None:
    (folder / "rc.yaml").write_text("kind: ReplicationController\n")

    assert next_batch(watcher).paths == {folder / "rc.yaml"}
    assert drain(watcher) == []


def test_an_atomic_save_through_a_temp_file_is_one_change_of_the_target(
    folder: Path, watcher: FolderWatcher
) -> None:
    (folder / "rc.yaml").write_text("replicas: 3\n")
    next_batch(watcher)

    (folder / "rc.yaml.tmp").write_text("replicas: 5\n")
    os.replace(folder / "rc.yaml.tmp", folder / "rc.yaml")

    assert [b.paths for b in [next_batch(watcher), *drain(watcher)]] == [{folder / "rc.yaml"}]


def test_a_vim_style_save_is_one_change_of_the_saved_file(
    folder: Path, watcher: FolderWatcher
) -> None:
    target = folder / "rc.yaml"
    target.write_text("replicas: 3\n")
    next_batch(watcher)

    # vim: probe the folder with "4913", keep a swap file, rename the original to a backup,
    # write the new file, drop the backup.
    (folder / "4913").write_text("")
    (folder / "4913").unlink()
    (folder / ".rc.yaml.swp").write_bytes(b"\0" * 64)
    os.rename(target, folder / "rc.yaml~")
    target.write_text("replicas: 5\n")
    (folder / "rc.yaml~").unlink()
    (folder / ".rc.yaml.swp").unlink()

    assert [b.paths for b in [next_batch(watcher), *drain(watcher)]] == [{target}]


def test_an_emacs_lock_and_autosave_are_ignored(folder: Path, watcher: FolderWatcher) -> None:
    (folder / "#rc.yaml#").write_text("draft")
    os.symlink("user@host.1234:1", folder / ".#rc.yaml")
    (folder / "#rc.yaml#").unlink()
    (folder / ".#rc.yaml").unlink()

    assert drain(watcher) == []


def test_a_rename_is_a_change_of_both_names(folder: Path, watcher: FolderWatcher) -> None:
    (folder / "a.yaml").write_text("kind: Service\n")
    next_batch(watcher)

    os.rename(folder / "a.yaml", folder / "b.yaml")

    assert next_batch(watcher).paths == {folder / "a.yaml", folder / "b.yaml"}


def test_a_file_moved_out_of_the_folder_is_reported(
    folder: Path, watcher: FolderWatcher, tmp_path: Path
) -> None:
    (folder / "a.yaml").write_text("kind: Service\n")
    next_batch(watcher)

    os.rename(folder / "a.yaml", tmp_path / "elsewhere.yaml")

    assert next_batch(watcher).paths == {folder / "a.yaml"}


def test_watchdogs_hold_on_half_a_rename_is_tuned_down(watcher: FolderWatcher) -> None:
    """watchdog holds the "moved from" half of a rename 0.5 s to pair it, which would delay
    every batch behind a file moved out of the folder; the watcher shortens the hold of
    whichever class this watchdog release keeps it in (checked as a setting: a timed bound
    would fail on a loaded machine)."""
    try:
        from watchdog.observers.inotify_move_event_grouper import (
            InotifyMoveEventGrouper as Holder,
        )
    except ImportError:
        from watchdog.observers.inotify_buffer import InotifyBuffer as Holder

    assert Holder.delay == MOVE_PAIRING


def test_a_flood_of_a_thousand_writes_is_one_batch(folder: Path, watcher: FolderWatcher) -> None:
    started = monotonic()
    for index in range(1000):
        (folder / f"rc-{index:04}.yaml").write_text(f"index: {index}\n")
    writing = monotonic() - started

    batches = [next_batch(watcher), *drain(watcher)]

    assert sum(len(b.paths) for b in batches) == 1000
    # One, and one more per MAX_DELAY the writing itself took (a loaded machine writes slowly).
    assert len(batches) <= 2 + int(writing / MAX_DELAY)


# watchdog may register a new folder's watch twice when it races with the folder's own event.
@pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")
def test_a_new_subfolder_reports_itself_and_its_files(folder: Path, watcher: FolderWatcher) -> None:
    (folder / "apps" / "kubia").mkdir(parents=True)
    (folder / "apps" / "kubia" / "rc.yaml").write_text("kind: ReplicationController\n")

    paths = set().union(*(b.paths for b in [next_batch(watcher), *drain(watcher)]))

    assert folder / "apps" / "kubia" / "rc.yaml" in paths


def test_a_symlink_to_a_folder_outside_is_not_followed(
    folder: Path, watcher: FolderWatcher, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, folder / "linked")
    drain(watcher)

    (outside / "rc.yaml").write_text("kind: ReplicationController\n")

    assert drain(watcher) == []


def test_reading_files_triggers_nothing(folder: Path, watcher: FolderWatcher) -> None:
    (folder / "rc.yaml").write_text("kind: ReplicationController\n")
    next_batch(watcher)

    (folder / "rc.yaml").read_text()

    assert drain(watcher) == []


def test_a_deleted_folder_is_reported_as_lost(folder: Path, watcher: FolderWatcher) -> None:
    shutil.rmtree(folder)

    # Which check notices first (the observer's event or the folder's stat) is a race.
    assert_lost(watcher, "was deleted|does not exist")


def test_a_folder_replaced_by_another_is_reported_as_lost(
    folder: Path, watcher: FolderWatcher, tmp_path: Path
) -> None:
    os.rename(folder, tmp_path / "old")
    folder.mkdir()

    assert_lost(watcher, "")


def test_a_missing_folder_cannot_be_watched(tmp_path: Path) -> None:
    with pytest.raises(FolderLost, match="does not exist"):
        FolderWatcher(tmp_path / "nowhere").start()


def test_wake_makes_a_waiting_caller_return_at_once(watcher: FolderWatcher) -> None:
    watcher.wake()
    started = monotonic()

    assert watcher.next_batch(DEADLINE) is None
    assert monotonic() - started < DEADLINE / 2


def assert_lost(watcher: FolderWatcher, words: str) -> None:
    """The watcher raises FolderLost (its message matching the pattern `words`) before the
    deadline."""
    wait_for(lambda: _raises_lost(watcher, words), what="FolderLost", deadline=DEADLINE)


def _raises_lost(watcher: FolderWatcher, words: str) -> bool:
    try:
        watcher.next_batch(0.05)
    except FolderLost as error:
        assert re.search(words, str(error))
        return True
    return False


def test_hidden_folders_and_ignored_paths_are_not_reported(folder: Path, tmp_path: Path) -> None:
    (folder / ".reconcilerignore").write_text("drafts/\n")
    (folder / "drafts").mkdir()
    (folder / ".git").mkdir()
    with FolderWatcher(folder, relevant=ManifestFolder(folder).relevant) as watcher:
        (folder / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
        (folder / ".git" / "config.yaml").write_text("x: 1\n")
        (folder / "drafts" / "rc.yaml").write_text("kind: ReplicationController\n")
        (folder / "notes.txt").write_text("not a manifest\n")

        assert drain(watcher) == []
