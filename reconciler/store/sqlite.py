"""SQLite backend: the store contract in one database file, shared by every process of the user.

The embedded default. The CLI opens it for each command and the daemon keeps it open; both may
write at once. WAL mode lets readers run beside the one writer. Every write is a transaction that
takes the write lock first (BEGIN IMMEDIATE, waiting up to a busy timeout), and the global
revision, the newest entry of the changes log, is read under that lock: so revisions are global
across processes, and a process killed mid-transaction leaves the file as it was before it.

An object's text is kept once, in the change that last wrote it; the objects table holds only
its key, that revision and its labels. A write thus appends one text and touches one small row,
and compaction spares the changes that still hold a live object. Label requirements that name
values or keys (`app=x`, `env in (a,b)`, `tier`) are answered from a labels index, so
`get pods -l app=x` reads the matching rows only.

The file's layout and every statement are in store/sqlite_schema.py, the per-transaction read
cache in store/transaction_cache.py, the writes a transaction holds back to send in batches in
store/held_writes.py. This is the only module that imports sqlite3; its errors
leave as StoreError. It stores and indexes what it is given and interprets nothing beyond kind,
namespace, name and labels.
"""

from __future__ import annotations

import builtins
import contextlib
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from reconciler.clock import monotonic
from reconciler.errors import AlreadyExists, StoreError
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.selectors import EVERYTHING, Selector
from reconciler.store import sqlite_schema as sql
from reconciler.store.base import EventType, WatchEvent
from reconciler.store.codec import decode
from reconciler.store.held_writes import HeldWrites
from reconciler.store.records import (
    HISTORY,
    already_exists,
    conflict,
    decode_all,
    encode_labels,
    expired,
    not_found,
    stamped,
)
from reconciler.store.sqlite_checkpoint import Checkpointer
from reconciler.store.transaction_cache import Change, Row, TransactionCache

BUSY_TIMEOUT = 30.0
"""Seconds a writer waits for another process's transaction before giving up."""

COMPACTION_STEP = 10_000
"""Most revisions one commit's compaction passes over, unless the commit wrote more than half
as many itself: a daemon's edit that finds history due for compaction then waits tens of
milliseconds, not the 0.7 s that forgetting 100,000 changes at once took (the rest is left
to the commits that follow)."""

POLL_INTERVAL = 0.02
"""How often `wait` looks for writes by other processes (this process's wake it at once)."""

PAGE_CACHE_KIB = 128 * 1024
"""At most this much of the file kept in memory per connection (taken as pages are read, so a
small command pays nothing): a busy instant of a big cluster writes in one transaction more
than SQLite's default 2 MB holds, and evicted index pages were read again for the next insert
(500 nodes and 15,000 pods converge about 5 % sooner)."""

_EVENT_TYPES = {change.value: change for change in EventType}
"""Stored type text → EventType: a dict lookup, several times cheaper than calling the enum, on
the path every watched change takes."""


class SqliteStore:
    """The store contract in one SQLite file; one connection, guarded by a re-entrant lock so
    that the daemon's threads may share it. A long-lived process (the daemon) asks for
    `background_checkpoints`, so that no commit of its own copies the log into the file
    (store/sqlite_checkpoint.py says why)."""

    def __init__(
        self,
        path: str | Path,
        *,
        busy_timeout: float = BUSY_TIMEOUT,
        history: int = HISTORY,
        background_checkpoints: bool = False,
    ) -> None:
        self.path = Path(path)
        self._busy_timeout = busy_timeout
        self._history = history
        self._lock = threading.RLock()
        self._committed = threading.Condition()
        self._depth = 0
        self._revision = 0  # meaningful inside a transaction only: read once under the lock
        self._began = 0  # the revision when the transaction under way began
        self._written = 0
        """Bytes of object text the transaction under way wrote (0: it wrote no object)."""
        self._cache: TransactionCache | None = None  # inside a write transaction only
        self._held = HeldWrites()  # empty outside a write transaction
        self._superseded: builtins.list[tuple[int]] = []
        """Changes the transaction under way wrote that hold no object's text any more (the
        object was rewritten or deleted since, or the change is a deletion): its compaction
        deletes them by revision instead of searching the range it wrote."""
        self._spoiled: StoreError | None = None
        """Why held writes could not be sent: the transaction under way runs no further
        statement and rolls back when it ends (SQLite may have rolled it back already, and
        what followed would be committed on its own)."""
        self._checkpointer: Checkpointer | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            self._cursor = self._db.cursor()
            """Every statement runs on this one cursor (each result is fetched at once, under
            the lock): `Connection.execute` makes a cursor per call, whose creation and the
            connection's bookkeeping of it cost twice the statement (an insert: 5.4 -> 2.6 µs)."""
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open the state store {self.path}: {error}") from error
        try:
            self._prepare()
            if background_checkpoints:
                self._execute("PRAGMA wal_autocheckpoint = 0")
                self._checkpointer = Checkpointer(self.path, busy_timeout=busy_timeout)
        except (OSError, sqlite3.Error) as error:
            self._db.close()
            raise StoreError(f"cannot open the state store {self.path}: {error}") from error
        except BaseException:
            self._db.close()
            raise

    def _prepare(self) -> None:
        """Switch to WAL and create the schema on first use; refuse files that are not ours."""
        self._execute(f"PRAGMA page_size = {sql.PAGE_SIZE}")  # before WAL fixes it for a new file
        self._execute("PRAGMA journal_mode = WAL")
        self._execute("PRAGMA synchronous = NORMAL")
        # Debian's SQLite zeroes what is deleted (secure_delete on), which nearly doubled a
        # compaction's commit; FAST zeroes only what costs no extra write.
        self._execute("PRAGMA secure_delete = FAST")
        self._execute(f"PRAGMA cache_size = {-PAGE_CACHE_KIB}")
        if self._marks() == (sql.APPLICATION_ID, sql.SCHEMA_VERSION):
            return
        self._execute("BEGIN IMMEDIATE")
        try:
            application, version = self._marks()
            if (application, version) == (0, 0) and not self._rows(sql.ANY_TABLE):
                for statement in sql.SCHEMA:
                    self._execute(statement)
            elif application != sql.APPLICATION_ID:
                raise StoreError(f"{self.path} is not a reconciler state store")
            elif version > sql.SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} was written by a newer reconciler (store schema {version}; "
                    f"this one knows {sql.SCHEMA_VERSION})"
                )
            self._execute("COMMIT")
        except BaseException:
            self._abort()
            raise

    def _marks(self) -> tuple[int, int]:
        """The file header's (application_id, user_version)."""
        row = self._rows(sql.MARKS)[0]
        return int(row[0]), int(row[1])

    # -- statements ----------------------------------------------------------------------------

    def _execute(self, statement: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self._cursor.execute(statement, params)
        except sqlite3.Error as error:
            raise self._failure(error) from error

    def _execute_many(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            self._cursor.executemany(statement, rows)
        except sqlite3.Error as error:
            raise self._failure(error) from error

    def _rows(self, statement: str, params: Sequence[Any] = ()) -> builtins.list[Any]:
        if self._spoiled is not None:
            raise self._spoiled
        try:
            return self._cursor.execute(statement, params).fetchall()
        except sqlite3.Error as error:
            raise self._failure(error) from error

    def _failure(self, error: sqlite3.Error) -> StoreError:
        """One clear line for the user: locked, not a database, or what SQLite says."""
        if getattr(error, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED"):
            return StoreError(
                f"the state store {self.path} is locked by another process "
                f"(waited {self._busy_timeout:g} s)"
            )
        if getattr(error, "sqlite_errorname", "") == "SQLITE_NOTADB":
            return StoreError(f"{self.path} is not a reconciler state store: {error}")
        return StoreError(f"the state store {self.path} failed: {error}")

    # -- transactions --------------------------------------------------------------------------

    def transaction(self) -> AbstractContextManager[None]:
        return _Transaction(self)

    def _enter(self) -> bool:
        """Take the lock and join the transaction under way, or begin one (True)."""
        self._lock.acquire()
        if self._depth:  # nested: the outer transaction commits or rolls back
            if self._spoiled is not None:
                self._lock.release()
                raise self._spoiled
            self._depth += 1
            return False
        try:
            self._execute("BEGIN IMMEDIATE")
            self._depth, self._written = 1, 0
            self._superseded.clear()
            self._revision = self._began = self._read_revision()
            self._cache = TransactionCache(self._revision)
        except BaseException:
            self._abort()
            self._depth, self._cache = 0, None
            self._lock.release()
            raise
        return True

    def _leave(self, *, outer: bool, failed: bool) -> None:
        """End what `_enter` began: commit (or roll back on failure) when it began it."""
        try:
            if not outer:
                self._depth -= 1
                return
            try:
                if failed:
                    self._abort()
                    return
                self._send_held()
                if self._spoiled is not None:
                    raise self._spoiled
                if self._written:
                    self._compact()
                self._execute("COMMIT")
            except BaseException:
                self._abort()
                raise
            finally:
                self._depth, self._cache, self._spoiled = 0, None, None
                self._held.clear()
                self._superseded.clear()
            if self._checkpointer is not None:
                self._checkpointer.committed(self._written)
            if self._written:
                with self._committed:
                    self._committed.notify_all()
        finally:
            self._lock.release()

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """Several reads that must see one state: a read transaction, which in WAL mode
        neither waits for nor blocks the writer (inside a transaction, that one suffices)."""
        if self._depth:
            yield
            return
        self._execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            self._abort()

    def _abort(self) -> None:
        """Roll back; a failing rollback (SQLite may have rolled back already) must not hide
        the error that caused it."""
        with contextlib.suppress(sqlite3.Error):
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")

    def _send_held(self) -> None:
        """Run the held writes (see HeldWrites), in batches. Should SQLite fail, the
        transaction is spoiled: it rolls back when it ends, whatever its caller does."""
        held = self._held
        if not held:
            return
        updates = [(revision, labels, *key) for key, (revision, labels) in held.updates.items()]
        try:
            self._execute_many(sql.INSERT_CHANGE, held.changes)
            self._execute_many(sql.UPDATE_OBJECT, updates)
            self._execute_many(sql.SET_META, held.meta.items())
            self._execute_many(sql.DELETE_CHANGE, held.dead)
        except StoreError as failure:
            self._spoiled = failure
            raise
        finally:
            held.clear()

    def _read_revision(self) -> int:
        return int(self._rows(sql.REVISION)[0][0])

    def _compacted(self) -> int:
        """The newest revision a watch can no longer start from."""
        cache = self._cache
        if cache is not None and cache.compacted is not None:
            return cache.compacted
        compacted = int(self._rows(sql.COMPACTED)[0][0])
        if cache is not None:
            cache.compacted = compacted
        return compacted

    def _compact(self) -> None:
        """Forget all but the newest `history` changes once twice as many piled up, except
        those still holding an object's text; in steps of COMPACTION_STEP revisions, or of
        twice what this transaction wrote. Earlier transactions' changes are searched for
        those (each looked up in the objects table); this one's dead changes are known
        (a big apply's commit: 1.1 million revisions searched for 300,000 dead pod versions)."""
        compacted = self._compacted()
        if self._revision - compacted <= 2 * self._history:
            return
        step = max(COMPACTION_STEP, 2 * (self._revision - self._began))
        horizon = min(self._revision - self._history, compacted + step)
        searched = min(horizon, self._began)
        if searched > compacted:
            self._execute(sql.COMPACT, (compacted, searched))
        dead = [change for change in self._superseded if compacted < change[0] <= horizon]
        self._execute_many(sql.DELETE_CHANGE, dead)
        self._execute(sql.SET_COMPACTED, (horizon,))
        if self._cache is not None:
            self._cache.compacted = horizon

    # -- objects -------------------------------------------------------------------------------

    def revision(self) -> int:
        with self._lock:
            return self._revision if self._depth else self._read_revision()

    def get(self, key: ObjectKey) -> Obj | None:
        with self._lock:
            held = self._held.rows
            if key in held:
                row = held[key]
            else:
                cache = self._cache
                row = cache.objects.get(key) if cache is not None else None
                if cache is None or key not in cache.objects or (row is not None and not row.text):
                    rows = self._rows(sql.OBJECT, key)
                    row = Row(*rows[0]) if rows else None
                    if cache is not None:
                        cache.remember(key, row)
        return None if row is None or row.text is None else decode(row.text)

    def exists(self, key: ObjectKey) -> bool:
        with self._lock:
            return self._find(key) is not None

    def list(
        self, kind: str, namespace: str | None = None, selector: Selector = EVERYTHING
    ) -> builtins.list[Obj]:
        query, params = sql.list_query(kind, namespace, selector)
        with self._lock:
            self._send_held()
            rows = self._rows(query, params)
        if not selector.empty:
            rows = [row for row in rows if selector.matches(decode(row[0]))]
        return decode_all(text for _, text in rows)

    def create(self, obj: Obj) -> Obj:
        """A taken key is found by the insert itself (the objects table's primary key) unless
        this transaction knows it already: no query to look first (Events, half of all writes,
        are created without being looked for)."""
        key = ObjectKey.of(obj)
        with self.transaction():
            cache = self._cache
            if cache is not None and cache.objects.get(key) is not None:
                raise already_exists(key)
            return self._write(EventType.ADDED, key, obj, None)

    def update(self, obj: Obj) -> Obj:
        key = ObjectKey.of(obj)
        with self.transaction():
            current = self._find(key)
            if current is None:
                raise not_found(key)
            expected = (obj.get("metadata") or {}).get("resourceVersion")
            if expected and expected != str(current.revision):
                raise conflict(key)
            return self._write(EventType.MODIFIED, key, obj, current)

    def delete(self, key: ObjectKey, *, resource_version: str | None = None) -> Obj:
        with self.transaction():
            current = self._find(key)
            if current is None:
                raise not_found(key)
            if resource_version and resource_version != str(current.revision):
                raise conflict(key)
            text = current.text
            if text is None:
                text = self._rows(sql.TEXT_AT, (current.revision,))[0][0]
            return self._write(EventType.DELETED, key, decode(text), current)

    def _find(self, key: ObjectKey) -> Row | None:
        """The object's row: inside a write transaction, through its cache."""
        held = self._held.rows
        if key in held:
            return held[key]
        cache = self._cache
        if cache is not None and key in cache.objects:
            return cache.objects[key]
        rows = self._rows(sql.OBJECT_ROW, key)
        row = Row(*rows[0]) if rows else None
        if cache is not None:
            cache.remember(key, row)
        return row

    def _write(self, change: EventType, key: ObjectKey, obj: Obj, current: Row | None) -> Obj:
        """One write inside the caller's transaction: the object, its labels, the changes log."""
        try:
            return self._write_rows(change, key, obj, current)
        except AlreadyExists:  # refused before anything was written
            raise
        except BaseException:
            self._cache = TransactionCache(self._revision) if self._cache is not None else None
            raise

    def _write_rows(self, change: EventType, key: ObjectKey, obj: Obj, current: Row | None) -> Obj:
        revision = self._revision + 1
        stored, text = stamped(obj, revision)
        labels = encode_labels(obj)
        old_labels = "{}" if current is None else current.labels
        held = self._held
        gone = change is EventType.DELETED
        if current is not None and current.revision <= self._compacted():
            held.dead.append((current.revision,))
        if current is None:
            self._insert_object(key, revision, labels)
        elif gone:
            labels = "{}"
            self._execute(sql.DELETE_OBJECT, key)
            held.updates.pop(key, None)
        else:
            held.updates[key] = (revision, labels)
        if labels != old_labels:
            self._reindex(key, decode(old_labels), decode(labels))
        spelled = change.value
        held.changes.append((revision, spelled, *key, text))
        row = None if gone else Row(revision, labels, text)
        held.rows[key] = row
        if current is not None and current.revision > self._began:
            self._superseded.append((current.revision,))
        if gone:
            self._superseded.append((revision,))
        self._revision = revision
        self._written += len(text)
        if self._cache is not None:
            self._cache.remember(key, row)
            self._cache.wrote(Change(revision, spelled, key, text))
        if held.full:
            self._send_held()
        return stored

    def _insert_object(self, key: ObjectKey, revision: int, labels: str) -> None:
        try:
            self._cursor.execute(sql.INSERT_OBJECT, (*key, revision, labels))
        except sqlite3.IntegrityError:
            raise already_exists(key) from None
        except sqlite3.Error as error:
            raise self._failure(error) from error

    def _reindex(self, key: ObjectKey, old: dict[str, str], new: dict[str, str]) -> None:
        kind, namespace, name = key
        gone = [(kind, k, v, namespace, name) for k, v in old.items() if new.get(k) != v]
        added = [(kind, k, v, namespace, name) for k, v in new.items() if old.get(k) != v]
        if gone:
            self._execute_many(sql.DELETE_LABEL, gone)
        if added:
            self._execute_many(sql.INSERT_LABEL, added)

    # -- watching ------------------------------------------------------------------------------

    def watch(
        self,
        from_revision: int,
        *,
        kinds: Collection[str] | None = None,
        upto: int | None = None,
    ) -> builtins.list[WatchEvent]:
        with self._lock:
            cache = self._cache
            kept = None if cache is None else cache.changes_since(from_revision)
        if kept is not None:
            if upto is not None:
                kept = [change for change in kept if change.revision <= upto]
            rows = [
                (revision, change, *key, text)
                for revision, change, key, text in kept
                if kinds is None or key.kind in kinds
            ]
        else:
            rows = self._read_changes(from_revision, kinds, upto)
        objects = decode_all(row[-1] for row in rows)
        return [
            WatchEvent(_EVENT_TYPES[change], revision, ObjectKey(kind, ns, name), obj)
            for (revision, change, kind, ns, name, _), obj in zip(rows, objects, strict=True)
        ]

    def _read_changes(
        self, from_revision: int, kinds: Collection[str] | None, upto: int | None
    ) -> builtins.list[Any]:
        query, params = sql.changes_query(
            from_revision, None if kinds is None else sorted(kinds), upto
        )
        with self._lock, self._snapshot():
            self._send_held()
            compacted = self._compacted()
            if from_revision < compacted:
                raise expired(from_revision, compacted + 1)
            return self._rows(query, params)

    def wait(self, revision: int, timeout: float) -> bool:
        """Writes by this process wake the waiter at once; other processes' are polled."""
        deadline = monotonic() + timeout
        while self.revision() <= revision:
            remaining = deadline - monotonic()
            if remaining <= 0:
                return False
            with self._committed:
                self._committed.wait(min(POLL_INTERVAL, remaining))
        return True

    # -- timers and meta -----------------------------------------------------------------------

    def set_timer(self, name: str, due: float) -> None:
        with self.transaction():
            self._execute(sql.SET_TIMER, (name, due))

    def next_due(self) -> float | None:
        with self._lock:
            due = self._rows(sql.NEXT_DUE)[0][0]
        return None if due is None else float(due)

    def pop_due(self, until: float) -> builtins.list[str]:
        with self.transaction():
            names = [name for (name,) in self._rows(sql.DUE, (until,))]
            if names:
                self._execute(sql.POP_DUE, (until,))
        return names

    def get_meta(self, name: str) -> str | None:
        with self._lock:
            if name in self._held.meta:
                return self._held.meta[name]
            cache = self._cache
            if cache is not None and name in cache.meta:
                return cache.meta[name]
            rows = self._rows(sql.GET_META, (name,))
            value = str(rows[0][0]) if rows else None
            if cache is not None:
                cache.meta[name] = value
        return value

    def set_meta(self, name: str, value: str) -> None:
        with self.transaction():
            self._held.meta[name] = value
            if self._cache is not None:
                self._cache.meta[name] = value
            if self._held.full:
                self._send_held()

    def meta_items(self, prefix: str) -> dict[str, str]:
        query, params = sql.meta_items_query(prefix)
        with self._lock:
            self._send_held()
            rows = self._rows(query, params)
        return {str(name): str(value) for name, value in rows if str(name).startswith(prefix)}

    def close(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.close()
        with self._lock:
            self._db.close()


class _Transaction:
    """What `SqliteStore.transaction` returns: a plain context manager, because the generator
    kind cost one to two microseconds per use and a busy instant nests hundreds of thousands
    (every api call and store write opens one)."""

    __slots__ = ("_outer", "_store")

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self._outer = False

    def __enter__(self) -> None:
        self._outer = self._store._enter()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._store._leave(outer=self._outer, failed=kind is not None)
