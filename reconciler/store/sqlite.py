"""SQLite backend: the store contract in one file, shared by every process of the user.

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

This is the only module that imports sqlite3; its errors leave as StoreError. It stores and
indexes what it is given and interprets nothing beyond kind, namespace, name and labels.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from reconciler.clock import monotonic
from reconciler.errors import StoreError
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.selectors import EVERYTHING, Operator, Selector
from reconciler.store.base import EventType, WatchEvent
from reconciler.store.records import (
    HISTORY,
    already_exists,
    conflict,
    decode_all,
    encode,
    encode_labels,
    expired,
    not_found,
)

SCHEMA_VERSION = 1
"""Kept in the file header (`PRAGMA user_version`), so a later release can tell what to migrate
while the meta table stays entirely the callers'."""

APPLICATION_ID = 0x5245434E
"""`PRAGMA application_id` of our files ("RECN"): another program's database is refused."""

BUSY_TIMEOUT = 30.0
"""Seconds a writer waits for another process's transaction before giving up."""

CACHED_OBJECTS = 10_000
"""Most objects a write transaction keeps at once in its read cache (about 30 MB of pods)."""

POLL_INTERVAL = 0.02
"""How often `wait` looks for writes by other processes (this process's wake it at once)."""

_SCHEMA = (
    """CREATE TABLE objects (
        kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
        revision INTEGER NOT NULL, labels TEXT NOT NULL,
        PRIMARY KEY (kind, namespace, name)) WITHOUT ROWID""",
    """CREATE TABLE labels (
        kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        namespace TEXT NOT NULL, name TEXT NOT NULL,
        PRIMARY KEY (kind, key, value, namespace, name)) WITHOUT ROWID""",
    """CREATE TABLE changes (
        revision INTEGER PRIMARY KEY, type TEXT NOT NULL,
        kind TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, json TEXT NOT NULL)""",
    "CREATE TABLE compaction (revision INTEGER NOT NULL)",
    "INSERT INTO compaction (revision) VALUES (0)",
    "CREATE TABLE timers (name TEXT PRIMARY KEY, due REAL NOT NULL) WITHOUT ROWID",
    "CREATE INDEX timers_by_due ON timers (due, name)",
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    f"PRAGMA application_id = {APPLICATION_ID}",
    f"PRAGMA user_version = {SCHEMA_VERSION}",
)


_EVENT_TYPES = {change.value: change for change in EventType}
"""Stored type text → EventType: a dict lookup, several times cheaper than calling the enum, on
the path every watched change takes."""


class _Row(NamedTuple):
    """A stored object as the write path needs it (and its text, once read or written)."""

    revision: int
    labels: str
    text: str | None = None


class _TransactionCache:
    """What this process read or wrote during the current write transaction.

    While it holds the write lock no other process can write, so within one transaction a
    value read once stays true until this process itself writes it: each read of an object,
    a meta entry or the compaction mark then costs one query per transaction, not one per
    call. The manager runs a whole simulated instant as one transaction, in which controllers
    read the same objects and settings many times. Dropped when the transaction ends, and
    after any failed write (which might have left the rows half-written). Objects are kept up
    to CACHED_OBJECTS at a time (an instant of a big cluster touches every pod: 150,000 texts
    would cost more than a gigabyte)."""

    def __init__(self) -> None:
        self.objects: dict[ObjectKey, _Row | None] = {}
        """None: known absent."""
        self.meta: dict[str, str | None] = {}
        self.compacted: int | None = None

    def remember(self, key: ObjectKey, row: _Row | None) -> None:
        """Keep an object's row, forgetting all others first when the cache is full (the
        recent ones are those read again soon; a clean start is cheaper than an LRU's upkeep)."""
        if len(self.objects) >= CACHED_OBJECTS and key not in self.objects:
            self.objects.clear()
        self.objects[key] = row


class SqliteStore:
    """The store contract in one SQLite file; one connection, guarded by a re-entrant lock so
    that the daemon's threads may share it."""

    def __init__(
        self, path: str | Path, *, busy_timeout: float = BUSY_TIMEOUT, history: int = HISTORY
    ) -> None:
        self.path = Path(path)
        self._busy_timeout = busy_timeout
        self._history = history
        self._lock = threading.RLock()
        self._committed = threading.Condition()
        self._depth = 0
        self._revision = 0  # meaningful inside a transaction only: read once under the lock
        self._wrote = False
        self._cache: _TransactionCache | None = None  # inside a write transaction only
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open the state store {self.path}: {error}") from error
        try:
            self._prepare()
        except BaseException:
            self._db.close()
            raise

    def _prepare(self) -> None:
        """Switch to WAL and create the schema on first use; refuse files that are not ours."""
        self._execute("PRAGMA journal_mode = WAL")
        self._execute("PRAGMA synchronous = NORMAL")
        if self._marks() == (APPLICATION_ID, SCHEMA_VERSION):
            return
        self._execute("BEGIN IMMEDIATE")
        try:
            application, version = self._marks()
            if (application, version) == (0, 0) and not self._rows("SELECT 1 FROM sqlite_master"):
                for statement in _SCHEMA:
                    self._execute(statement)
            elif application != APPLICATION_ID:
                raise StoreError(f"{self.path} is not a reconciler state store")
            elif version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} was written by a newer reconciler (store schema {version}; "
                    f"this one knows {SCHEMA_VERSION})"
                )
            self._execute("COMMIT")
        except BaseException:
            self._abort()
            raise

    def _marks(self) -> tuple[int, int]:
        """The file header's (application_id, user_version)."""
        row = self._rows("SELECT * FROM pragma_application_id(), pragma_user_version()")[0]
        return int(row[0]), int(row[1])

    # -- statements ----------------------------------------------------------------------------

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, params)
        except sqlite3.Error as error:
            raise self._failure(error) from error

    def _execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            self._db.executemany(sql, rows)
        except sqlite3.Error as error:
            raise self._failure(error) from error

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> builtins.list[Any]:
        try:
            return self._db.execute(sql, params).fetchall()
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

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            if self._depth:  # nested: the outer transaction commits or rolls back
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._execute("BEGIN IMMEDIATE")
            self._depth, self._wrote = 1, False
            self._cache = _TransactionCache()
            try:
                self._revision = self._read_revision()
                yield
                if self._wrote:
                    self._compact()
                self._execute("COMMIT")
            except BaseException:
                self._abort()
                raise
            finally:
                self._depth, self._cache = 0, None
            if self._wrote:
                with self._committed:
                    self._committed.notify_all()

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

    def _read_revision(self) -> int:
        return int(self._rows("SELECT coalesce(max(revision), 0) FROM changes")[0][0])

    def _compacted(self) -> int:
        """The newest revision a watch can no longer start from."""
        cache = self._cache
        if cache is not None and cache.compacted is not None:
            return cache.compacted
        compacted = int(self._rows("SELECT revision FROM compaction")[0][0])
        if cache is not None:
            cache.compacted = compacted
        return compacted

    def _compact(self) -> None:
        """Forget all but the newest `history` changes once twice as many piled up, except
        those still holding an object's text."""
        if self._revision - self._compacted() <= 2 * self._history:
            return
        horizon = self._revision - self._history
        self._execute(
            "DELETE FROM changes WHERE revision <= ? "
            "AND revision NOT IN (SELECT revision FROM objects)",
            (horizon,),
        )
        self._execute("UPDATE compaction SET revision = ?", (horizon,))
        if self._cache is not None:
            self._cache.compacted = horizon

    # -- objects -------------------------------------------------------------------------------

    def revision(self) -> int:
        with self._lock:
            return self._revision if self._depth else self._read_revision()

    def get(self, key: ObjectKey) -> Obj | None:
        with self._lock:
            cache = self._cache
            row = cache.objects.get(key) if cache is not None else None
            if cache is None or key not in cache.objects or (row is not None and not row.text):
                rows = self._rows(
                    "SELECT revision, labels, json FROM objects "
                    "CROSS JOIN changes USING (revision) "
                    "WHERE objects.kind = ? AND objects.namespace = ? AND objects.name = ?",
                    key,
                )
                row = _Row(*rows[0]) if rows else None
                if cache is not None:
                    cache.remember(key, row)
        return None if row is None or row.text is None else json.loads(row.text)

    def list(
        self, kind: str, namespace: str | None = None, selector: Selector = EVERYTHING
    ) -> builtins.list[Obj]:
        sql, params = _list_query(kind, namespace, selector)
        with self._lock:
            rows = self._rows(sql, params)
        if not selector.empty:
            rows = [row for row in rows if selector.matches(json.loads(row[0]))]
        return decode_all(text for _, text in rows)

    def create(self, obj: Obj) -> Obj:
        key = ObjectKey.of(obj)
        with self.transaction():
            if self._find(key) is not None:
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
                text = self._rows(
                    "SELECT json FROM changes WHERE revision = ?", (current.revision,)
                )[0][0]
            return self._write(EventType.DELETED, key, json.loads(text), current)

    def _find(self, key: ObjectKey) -> _Row | None:
        """The object's row, inside the write transaction (so through its cache)."""
        cache = self._cache
        if cache is not None and key in cache.objects:
            return cache.objects[key]
        rows = self._rows(
            "SELECT revision, labels FROM objects WHERE kind = ? AND namespace = ? AND name = ?",
            key,
        )
        row = _Row(*rows[0]) if rows else None
        if cache is not None:
            cache.remember(key, row)
        return row

    def _write(self, change: EventType, key: ObjectKey, obj: Obj, current: _Row | None) -> Obj:
        """One write inside the caller's transaction: the object, its labels, the changes log."""
        try:
            return self._write_rows(change, key, obj, current)
        except BaseException:
            self._cache = _TransactionCache() if self._cache is not None else None
            raise

    def _write_rows(self, change: EventType, key: ObjectKey, obj: Obj, current: _Row | None) -> Obj:
        revision = self._revision + 1
        text = encode(obj, revision)
        labels = encode_labels(obj)
        old_labels = "{}" if current is None else current.labels
        if current is None:
            self._execute(
                "INSERT INTO objects (kind, namespace, name, revision, labels) "
                "VALUES (?, ?, ?, ?, ?)",
                (*key, revision, labels),
            )
        elif change is EventType.DELETED:
            labels = "{}"
            self._execute("DELETE FROM objects WHERE kind = ? AND namespace = ? AND name = ?", key)
        else:
            self._execute(
                "UPDATE objects SET revision = ?, labels = ? "
                "WHERE kind = ? AND namespace = ? AND name = ?",
                (revision, labels, *key),
            )
        if labels != old_labels:
            self._reindex(key, json.loads(old_labels), json.loads(labels))
        self._execute(
            "INSERT INTO changes (revision, type, kind, namespace, name, json) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (revision, change.value, *key, text),
        )
        self._revision, self._wrote = revision, True
        if self._cache is not None:
            gone = change is EventType.DELETED
            self._cache.remember(key, None if gone else _Row(revision, labels, text))
        return json.loads(text)  # type: ignore[no-any-return]

    def _reindex(self, key: ObjectKey, old: dict[str, str], new: dict[str, str]) -> None:
        kind, namespace, name = key
        gone = [(kind, k, v, namespace, name) for k, v in old.items() if new.get(k) != v]
        added = [(kind, k, v, namespace, name) for k, v in new.items() if old.get(k) != v]
        self._execute_many(
            "DELETE FROM labels "
            "WHERE kind = ? AND key = ? AND value = ? AND namespace = ? AND name = ?",
            gone,
        )
        self._execute_many(
            "INSERT INTO labels (kind, key, value, namespace, name) VALUES (?, ?, ?, ?, ?)",
            added,
        )

    # -- watching ------------------------------------------------------------------------------

    def watch(
        self, from_revision: int, *, kinds: Collection[str] | None = None
    ) -> builtins.list[WatchEvent]:
        sql = "SELECT revision, type, kind, namespace, name, json FROM changes WHERE revision > ?"
        params: list[Any] = [from_revision]
        if kinds is not None:
            wanted = sorted(kinds)
            sql += f" AND kind IN ({', '.join('?' * len(wanted))})"
            params += wanted
        with self._lock, self._snapshot():
            compacted = self._compacted()
            if from_revision < compacted:
                raise expired(from_revision, compacted + 1)
            rows = self._rows(sql + " ORDER BY revision", params)
        objects = decode_all(row[-1] for row in rows)
        return [
            WatchEvent(_EVENT_TYPES[change], revision, ObjectKey(kind, ns, name), obj)
            for (revision, change, kind, ns, name, _), obj in zip(rows, objects, strict=True)
        ]

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
            self._execute(
                "INSERT INTO timers (name, due) VALUES (?, ?) ON CONFLICT (name) "
                "DO UPDATE SET due = excluded.due WHERE excluded.due < timers.due",
                (name, due),
            )

    def next_due(self) -> float | None:
        with self._lock:
            due = self._rows("SELECT min(due) FROM timers")[0][0]
        return None if due is None else float(due)

    def pop_due(self, until: float) -> builtins.list[str]:
        with self.transaction():
            names = [
                name
                for (name,) in self._rows(
                    "SELECT name FROM timers WHERE due <= ? ORDER BY due, name", (until,)
                )
            ]
            if names:
                self._execute("DELETE FROM timers WHERE due <= ?", (until,))
        return names

    def get_meta(self, name: str) -> str | None:
        with self._lock:
            cache = self._cache
            if cache is not None and name in cache.meta:
                return cache.meta[name]
            rows = self._rows("SELECT value FROM meta WHERE name = ?", (name,))
            value = str(rows[0][0]) if rows else None
            if cache is not None:
                cache.meta[name] = value
        return value

    def set_meta(self, name: str, value: str) -> None:
        with self.transaction():
            try:
                self._execute(
                    "INSERT INTO meta (name, value) VALUES (?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    (name, value),
                )
            except StoreError:
                if self._cache is not None:
                    self._cache.meta.pop(name, None)
                raise
            if self._cache is not None:
                self._cache.meta[name] = value

    def meta_items(self, prefix: str) -> dict[str, str]:
        # A range on the primary key (BINARY collation: code point order) rather than LIKE,
        # which would scan the table and treat `%` and `_` in the prefix as wildcards.
        query = "SELECT name, value FROM meta WHERE name >= ? AND value != ''"
        params: tuple[str, ...] = (prefix,)
        if prefix and ord(prefix[-1]) < 0xD7FF:  # past it the next code point may not encode
            query += " AND name < ?"
            params = (prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1))
        with self._lock:
            rows = self._rows(query + " ORDER BY name", params)
        return {str(name): str(value) for name, value in rows if str(name).startswith(prefix)}

    def close(self) -> None:
        with self._lock:
            self._db.close()


_LIST = (
    "SELECT o.labels, c.json FROM {source} CROSS JOIN changes AS c ON c.revision = o.revision "
    "WHERE {where} ORDER BY o.namespace, o.name"
)


def _list_query(kind: str, namespace: str | None, selector: Selector) -> tuple[str, list[Any]]:
    """The SELECT for a list. Requirements naming values or keys are answered by the labels
    index: each one's matches are read once and intersected, and only the objects in the
    intersection are fetched. The rest (`!=`, `notin`, `!key`) are checked on each row's labels
    by the caller."""
    where, params = "o.kind = ?", [kind]
    if namespace is not None:
        where, params = f"{where} AND o.namespace = ?", [kind, namespace]
    matches: list[str] = []
    match_params: list[Any] = []
    for requirement in selector.requirements:
        if requirement.operator is Operator.IN:
            values = sorted(requirement.values)
            condition = f"key = ? AND value IN ({', '.join('?' * len(values))})"
        elif requirement.operator is Operator.EXISTS:
            condition, values = "key = ?", []
        else:
            continue
        matches.append(f"SELECT namespace, name FROM labels WHERE kind = ? AND {condition}")
        match_params += [kind, requirement.key, *values]
    if not matches:
        return _LIST.format(source="objects AS o", where=where), params
    # CROSS JOIN makes SQLite join in the order written: the few matches first, then their rows.
    source = (
        f"({' INTERSECT '.join(matches)}) AS m CROSS JOIN objects AS o "
        "ON o.namespace = m.namespace AND o.name = m.name"
    )
    return _LIST.format(source=source, where=where), match_params + params
