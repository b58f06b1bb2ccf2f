"""What the SQLite backend promises beyond the contract: a real file that outlives processes,
is shared by several at once, and survives a writer killed mid-transaction."""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest

from reconciler.errors import AlreadyExists, Expired, StoreError
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.selectors import parse
from reconciler.store.sqlite import SqliteStore
from reconciler.store.sqlite_schema import PAGE_SIZE
from tests.waiting import wait_for

WRITER = Path(__file__).with_name("writer_process.py")
DEADLINE = 60.0
"""Seconds a test waits for a child process before failing (never a fixed sleep)."""


def pod(name: str, **labels: str) -> Obj:
    return {"kind": "Pod", "metadata": {"name": name, "namespace": "default", "labels": labels}}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "state.db"


@pytest.fixture
def store(path: Path) -> Iterator[SqliteStore]:
    with closing(SqliteStore(path)) as opened:
        yield opened


Spawn = Callable[[str, int, str], subprocess.Popen[str]]


@pytest.fixture
def spawn(path: Path) -> Iterator[Spawn]:
    """Starts writer processes on the store's file; kills what is left of them afterwards."""
    started: list[subprocess.Popen[str]] = []

    def start(mode: str, count: int, prefix: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, str(WRITER), str(path), mode, str(count), prefix],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        with process:
            process.kill()


def read_line(process: subprocess.Popen[str]) -> str:
    """The child's next line, waiting at most DEADLINE seconds for it."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], DEADLINE)
    assert ready, "the writer process said nothing in time"
    return process.stdout.readline().strip()


def test_objects_revision_timers_and_meta_survive_reopening(path: Path) -> None:
    with closing(SqliteStore(path)) as store:
        store.create(pod("a", app="kubia"))
        store.update(pod("a", app="kubia", tier="web"))
        store.set_timer("sync", 12.5)
        store.set_meta("clock", "100.0")

    with closing(SqliteStore(path)) as store:
        assert store.revision() == 2
        assert store.get(ObjectKey("Pod", "default", "a"))["metadata"]["resourceVersion"] == "2"  # type: ignore[index]
        assert len(store.list("Pod", selector=parse("tier=web"))) == 1
        assert [e.revision for e in store.watch(0)] == [1, 2]
        assert store.next_due() == 12.5
        assert store.get_meta("clock") == "100.0"
        assert store.create(pod("b"))["metadata"]["resourceVersion"] == "3"


def test_a_long_lived_store_still_copies_its_log_into_the_file_and_ends_its_thread(
    path: Path,
) -> None:
    """Its commits leave the log alone (SQLite's own checkpoint is off): its thread copies it."""
    with closing(SqliteStore(path, background_checkpoints=True)) as store:
        size = path.stat().st_size
        for i in range(200):  # 5 MB in small commits, as a busy daemon writes
            store.create({**pod(f"p{i}", app="x"), "spec": {"note": "x" * 25_000}})
        wait_for(lambda: path.stat().st_size > size, what="the log copied into the file")
    assert not [t for t in threading.enumerate() if t.name == "sqlite-checkpoint"]
    with closing(SqliteStore(path)) as reopened:
        assert len(reopened.list("Pod", selector=parse("app=x"))) == 200


def test_the_file_is_in_wal_mode_with_a_schema_version(store: SqliteStore, path: Path) -> None:
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("PRAGMA user_version").fetchone() == (1,)
        assert db.execute("PRAGMA page_size").fetchone() == (PAGE_SIZE,)


def test_a_file_made_with_other_pages_keeps_them_and_its_contents(path: Path) -> None:
    with closing(SqliteStore(path)) as first:
        first.create(pod("a", app="kubia"))
    with closing(sqlite3.connect(path)) as db:  # rewrite it with 4 KiB pages
        db.execute("PRAGMA journal_mode = DELETE")
        db.execute("PRAGMA page_size = 4096")
        db.execute("VACUUM")
    with closing(SqliteStore(path)) as reopened:
        assert reopened.get(ObjectKey("Pod", "default", "a")) is not None
        reopened.create(pod("b", app="kubia"))
        assert len(reopened.list("Pod", selector=parse("app=kubia"))) == 2
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA page_size").fetchone() == (4096,)


def test_two_stores_on_one_file_see_each_others_writes_and_share_one_revision(
    store: SqliteStore, path: Path
) -> None:
    with closing(SqliteStore(path)) as other:
        store.create(pod("a"))
        assert other.get(ObjectKey("Pod", "default", "a")) is not None
        assert other.create(pod("b"))["metadata"]["resourceVersion"] == "2"
        assert store.revision() == 2
        assert [str(e.key) for e in store.watch(0)] == ["Pod/default/a", "Pod/default/b"]
        assert store.wait(1, timeout=DEADLINE)


def test_a_reader_opens_and_reads_committed_state_while_another_store_writes(
    store: SqliteStore, path: Path
) -> None:
    store.create(pod("committed"))
    with store.transaction():
        store.create(pod("pending"))
        with closing(SqliteStore(path, busy_timeout=0.05)) as reader:
            assert [o["metadata"]["name"] for o in reader.list("Pod")] == ["committed"]
            assert reader.revision() == 1
            assert not reader.wait(1, timeout=0.0)


def test_a_writer_waiting_too_long_for_the_lock_gets_a_clear_error(
    store: SqliteStore, path: Path
) -> None:
    with closing(SqliteStore(path, busy_timeout=0.05)) as impatient, store.transaction():
        store.create(pod("a"))
        with pytest.raises(StoreError, match="is locked by another process"):
            impatient.create(pod("b"))
        assert impatient.get(ObjectKey("Pod", "default", "a")) is None  # not committed yet

    assert store.revision() == 1


def test_writers_in_two_processes_share_one_strictly_increasing_revision(
    store: SqliteStore, spawn: Spawn
) -> None:
    count = 300
    store.create(pod("seed"))
    writers = [spawn("creates", count, prefix) for prefix in ("left", "right")]
    seen_at_start = [int(read_line(process)) for process in writers]
    for process in writers:  # both are open and waiting: start them together
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    for process in writers:
        assert process.wait(DEADLINE) == 0

    assert seen_at_start == [1, 1]  # each child saw the parent's write
    assert store.revision() == 2 * count + 1
    events = store.watch(0)
    assert [e.revision for e in events] == list(range(1, 2 * count + 2))
    versions = [o["metadata"]["resourceVersion"] for o in store.list("Pod")]
    assert len(set(versions)) == 2 * count + 1
    assert len(store.list("Pod", selector=parse("app=left"))) == count


def test_a_writer_killed_mid_transaction_leaves_the_store_as_before_that_transaction(
    store: SqliteStore, path: Path, spawn: Spawn
) -> None:
    count = 1500  # about 3 MB: more than SQLite's page cache, so pages reach the WAL uncommitted
    store.create(pod("before"))
    process = spawn("hang", count, "w")

    assert read_line(process) == "ready"
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(DEADLINE) == -signal.SIGKILL

    with closing(SqliteStore(path)) as reopened:
        assert reopened.revision() == 1 + count
        events = reopened.watch(0)
        assert [e.revision for e in events] == list(range(1, count + 2))
        assert len(reopened.list("Pod")) == 1 + count
        assert len(reopened.list("Pod", selector=parse("app=kept"))) == count
        assert reopened.list("Pod", selector=parse("app=lost")) == []
        assert reopened.get_meta("lost") is None
        assert reopened.next_due() is None
        assert reopened.create(pod("after"))["metadata"]["resourceVersion"] == str(count + 2)


def test_a_file_that_is_not_a_database_is_refused_with_a_clear_error(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text("these are not the pages you are looking for\n" * 100)

    with pytest.raises(StoreError, match="is not a reconciler state store"):
        SqliteStore(path)


def test_a_damaged_store_fails_with_a_clear_error(store: SqliteStore, path: Path) -> None:
    for number in range(200):
        store.create(pod(f"p{number}", app="x"))
    store.close()  # the last connection folds the WAL into the file
    with path.open("r+b") as file:  # every page but the first (the schema) overwritten
        file.seek(PAGE_SIZE)
        file.write(b"\xff" * (path.stat().st_size - PAGE_SIZE))

    with closing(SqliteStore(path)) as damaged, pytest.raises(StoreError, match="malformed"):
        damaged.list("Pod")


def test_another_programs_database_is_refused(path: Path) -> None:
    path.parent.mkdir(parents=True)
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE songs (title TEXT)")

    with pytest.raises(StoreError, match="is not a reconciler state store"):
        SqliteStore(path)


def test_a_store_written_by_a_newer_release_is_refused(store: SqliteStore, path: Path) -> None:
    store.close()
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA user_version = 99")

    with pytest.raises(StoreError, match="newer reconciler"):
        SqliteStore(path)


def test_a_transaction_reads_its_own_writes_and_forgets_them_when_rolled_back(
    store: SqliteStore,
) -> None:
    store.create(pod("kept", app="a"))
    store.set_meta("m", "before")
    with pytest.raises(RuntimeError), store.transaction():
        assert store.get(ObjectKey("Pod", "default", "kept")) is not None
        store.update(pod("kept", app="b"))
        store.delete(ObjectKey("Pod", "default", "kept"))
        assert store.get(ObjectKey("Pod", "default", "kept")) is None
        store.create(pod("new"))
        store.set_meta("m", "during")
        assert store.get_meta("m") == "during"
        assert store.get(ObjectKey("Pod", "default", "new")) is not None
        raise RuntimeError("roll back")

    kept = store.get(ObjectKey("Pod", "default", "kept"))
    assert kept is not None
    assert kept["metadata"]["labels"] == {"app": "a"}
    assert store.get(ObjectKey("Pod", "default", "new")) is None
    assert store.get_meta("m") == "before"


def test_each_transaction_sees_what_another_store_wrote_before_it_began(path: Path) -> None:
    with closing(SqliteStore(path)) as first, closing(SqliteStore(path)) as second:
        with first.transaction():
            assert first.get(ObjectKey("Pod", "default", "a")) is None
            assert first.get_meta("m") is None
        second.create(pod("a", app="x"))
        second.set_meta("m", "set")
        with first.transaction():
            got = first.get(ObjectKey("Pod", "default", "a"))
            assert got is not None
            assert got["metadata"]["labels"] == {"app": "x"}
            assert first.get_meta("m") == "set"
            first.update(got)
        second.delete(ObjectKey("Pod", "default", "a"))
        with first.transaction():
            assert first.get(ObjectKey("Pod", "default", "a")) is None


def test_objects_handed_out_inside_a_transaction_are_copies(store: SqliteStore) -> None:
    store.create(pod("a", app="x"))
    with store.transaction():
        got = store.get(ObjectKey("Pod", "default", "a"))
        assert got is not None
        got["metadata"]["labels"]["app"] = "changed"
        again = store.get(ObjectKey("Pod", "default", "a"))
        assert again is not None
        assert again["metadata"]["labels"] == {"app": "x"}


def test_watches_inside_a_write_transaction_see_what_the_table_holds(
    store: SqliteStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside a write transaction a watch after the transaction's start is served from the
    changes it wrote; whatever the order and range of the watches, they must match a fresh
    reader of the file once committed."""
    monkeypatch.setattr("reconciler.store.transaction_cache.CACHED_CHANGES", 5)
    store.create(pod("before"))
    seen: list[tuple[int, str, str]] = []
    with store.transaction():
        start = store.revision()
        store.create(pod("a", app="x"))
        store.create({"kind": "Event", "metadata": {"name": "e", "namespace": "default"}})
        first = store.watch(start, kinds={"Pod"})
        store.update({**pod("a", app="y")})
        with pytest.raises(AlreadyExists):
            store.create(pod("a"))
        later = store.watch(first[-1].revision)
        older = store.watch(0, kinds={"Pod"})
        for i in range(8):  # more than the transaction keeps: the rest comes from the table
            store.create(pod(f"p{i}"))
        seen = [(e.revision, e.type.value, e.key.name) for e in store.watch(later[-1].revision)]
        store.delete(ObjectKey("Pod", "default", "p0"))
        last = store.watch(seen[-1][0])
    assert [(e.key.name, e.object["metadata"]["labels"]) for e in first] == [("a", {"app": "x"})]
    assert [(e.key.kind, e.type.value) for e in later] == [("Event", "ADDED"), ("Pod", "MODIFIED")]
    assert [e.key.name for e in older] == ["before", "a", "a"]
    assert [(e.key.name, e.type.value) for e in last] == [("p0", "DELETED")]
    with closing(SqliteStore(path)) as other:
        table = [(e.revision, e.type.value, e.key.name) for e in other.watch(later[-1].revision)]
    assert seen == table[:8]


def test_held_back_writes_are_seen_by_every_read_of_their_transaction_and_committed(
    store: SqliteStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Change rows, row updates and meta values are sent to SQLite in batches (HeldWrites):
    every read in between must see them, whether it is answered from what is held, from the
    read cache or from the table, and the commit must keep exactly what was written."""
    monkeypatch.setattr("reconciler.store.held_writes.HELD_CHANGES", 3)
    monkeypatch.setattr("reconciler.store.transaction_cache.CACHED_OBJECTS", 2)
    a, gone = ObjectKey("Pod", "default", "a"), ObjectKey("Pod", "default", "gone")
    with store.transaction():
        store.create(pod("a", app="x"))
        store.create(pod("gone", app="x"))
        store.set_meta("ip/a", "10.244.0.2")
        store.update(pod("a", app="y"))
        store.delete(gone)
        for i in range(4):  # evicts the read cache and sends a batch meanwhile
            store.create(pod(f"p{i}", app="x"))
        store.update(pod("a", app="z"))
        store.set_meta("ip/a", "10.244.0.3")
        inside = store.get(a)
        assert inside is not None and inside["metadata"]["labels"] == {"app": "z"}
        assert store.get(gone) is None
        assert store.get_meta("ip/a") == "10.244.0.3"
        assert [p["metadata"]["name"] for p in store.list("Pod", selector=parse("app=z"))] == ["a"]
        assert store.meta_items("ip/") == {"ip/a": "10.244.0.3"}
        assert [e.type.value for e in store.watch(0, kinds={"Pod"}) if e.key == a] == [
            "ADDED",
            "MODIFIED",
            "MODIFIED",
        ]
        revision = store.revision()
    with closing(SqliteStore(path)) as fresh:
        again = fresh.get(a)
        assert again is not None and again["metadata"]["resourceVersion"] == str(revision)
        assert again["metadata"]["labels"] == {"app": "z"}
        assert fresh.get(gone) is None
        assert fresh.get_meta("ip/a") == "10.244.0.3"
        names = [p["metadata"]["name"] for p in fresh.list("Pod", selector=parse("app=x"))]
        assert names == ["p0", "p1", "p2", "p3"]
        assert len(fresh.watch(0)) == revision


def test_a_transaction_whose_held_back_writes_failed_rolls_back_whatever_its_caller_does(
    store: SqliteStore, path: Path
) -> None:
    """SQLite refusing a batch (here: the file may not grow) spoils the transaction, even when
    the read that sent the batch caught the error: it ends in a rollback and a clear error."""
    store.create(pod("kept"))
    with closing(sqlite3.connect(path)) as db:
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    store._execute(f"PRAGMA max_page_count = {pages + 1}")
    with pytest.raises(StoreError, match="full"), store.transaction():
        for i in range(50):
            store.create({**pod(f"big{i}"), "data": "x" * 4_000})
        with pytest.raises(StoreError, match="full"):
            store.list("Pod")
        store.create(pod("after"))
    store._execute(f"PRAGMA max_page_count = {2**30}")
    assert [p["metadata"]["name"] for p in store.list("Pod")] == ["kept"]
    store.create(pod("later"))
    assert [p["metadata"]["name"] for p in store.list("Pod")] == ["kept", "later"]


def revisions_kept(path: Path) -> list[int]:
    with closing(sqlite3.connect(path)) as db:
        return [revision for (revision,) in db.execute("SELECT revision FROM changes")]


def test_compaction_forgets_history_in_steps_unless_one_transaction_wrote_more(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit that finds history due for compaction passes over at most COMPACTION_STEP
    revisions (so a daemon's small edit never waits for 100,000 deletions), or twice what it
    wrote itself; the commits after it take the rest."""
    monkeypatch.setattr("reconciler.store.sqlite.COMPACTION_STEP", 2)
    with closing(SqliteStore(path, history=3)) as store:
        for number in range(7):
            store.create(pod(f"p{number}"))
            store.delete(ObjectKey("Pod", "default", f"p{number}"))
        # 14 revisions; compaction was due at 7 (0 → 2), 9 (→ 4), 11 (→ 6) and 13 (→ 8).
        assert revisions_kept(path) == list(range(9, 15))
        with pytest.raises(Expired, match="too old resource version: 7"):
            store.watch(7)
        assert [e.revision for e in store.watch(8)] == list(range(9, 15))

        with store.transaction():
            for number in range(10):
                store.create(pod(f"q{number}"))
        # 10 writes may pass over 20 revisions: all the way to 24 - 3.
        assert revisions_kept(path) == list(range(15, 25))
        assert [e.revision for e in store.watch(21)] == [22, 23, 24]


def test_a_big_transaction_compacts_its_own_history_as_a_search_of_the_table_would(
    path: Path,
) -> None:
    """Its commit forgets the changes it wrote that no object holds any more (rewritten,
    deleted, or a deletion) without searching for them, and searches only before it began."""
    with closing(SqliteStore(path, history=3)) as store:
        store.create(pod("x"))  # 1
        store.update(pod("x", n="1"))  # 2
        with store.transaction():
            for name in ("a", "b", "c"):
                store.create(pod(name))  # 3, 4, 5
            store.update(pod("a", n="1"))  # 6
            store.update(pod("a", n="2"))  # 7
            store.delete(ObjectKey("Pod", "default", "b"))  # 8
            store.create(pod("d"))  # 9
            store.update(pod("c", n="1"))  # 10
            store.delete(ObjectKey("Pod", "default", "d"))  # 11
            store.update(pod("a", n="3"))  # 12
        # compacted up to 12 - 3: what still holds x, and the newest three
        assert revisions_kept(path) == [2, 10, 11, 12]
        assert [e.revision for e in store.watch(9)] == [10, 11, 12]
        assert [p["metadata"]["resourceVersion"] for p in store.list("Pod")] == ["12", "10", "2"]


def test_a_change_past_the_compaction_mark_is_forgotten_once_its_object_is_rewritten(
    path: Path,
) -> None:
    """Compaction spares a change that still holds an object's text, and does not pass over
    that revision again: the write that rewrites or deletes the object forgets it."""
    with closing(SqliteStore(path, history=2)) as store:
        store.create(pod("old"))
        store.create(pod("gone"))
        store.create(pod("busy"))
        for number in range(4):
            store.update(pod("busy", n=str(number)))
        assert revisions_kept(path)[:2] == [1, 2]  # past the mark, holding "old" and "gone"

        store.update(pod("old", app="x"))
        store.delete(ObjectKey("Pod", "default", "gone"))

        assert 1 not in revisions_kept(path) and 2 not in revisions_kept(path)
        old = store.get(ObjectKey("Pod", "default", "old"))
        assert old is not None and old["metadata"]["labels"] == {"app": "x"}
