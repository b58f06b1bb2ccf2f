"""The SQLite store's file layout and statements: tables, header marks and every SQL text.

Kept apart from the Store class (store/sqlite.py) so that the layout can be read in one place:
the bench's read-only probe (bench/poll.py) depends on it too. An object's text is kept once, in
the change that last wrote it; `objects` holds only its key, that revision and its labels (as
canonical JSON), and `labels` indexes them per (key, value). Pure text: nothing here imports
sqlite3 or runs a statement.
"""

from __future__ import annotations

from typing import Any

from reconciler.model.selectors import Operator, Selector

PAGE_SIZE = 16 * 1024
"""Bytes per page of a new file (SQLite's default is 4 KiB). A pod's text is about 2 KB: a 4 KiB
page held one and wasted the rest, and a big instant's commit and checkpoint wrote and read the
file a page per system call. 5,000 nodes and 150,000 pods: file 1.85 -> 1.66 GB, system time
10 -> 7.6 s. An existing file keeps the page size it was made with."""

SCHEMA_VERSION = 1
"""Kept in the file header (`PRAGMA user_version`), so a later release can tell what to migrate
while the meta table stays entirely the callers'."""

APPLICATION_ID = 0x5245434E
"""`PRAGMA application_id` of our files ("RECN"): another program's database is refused."""

SCHEMA = (
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

MARKS = "SELECT * FROM pragma_application_id(), pragma_user_version()"
ANY_TABLE = "SELECT 1 FROM sqlite_master"

REVISION = "SELECT coalesce(max(revision), 0) FROM changes"
COMPACTED = "SELECT revision FROM compaction"
COMPACT = (
    "DELETE FROM changes WHERE revision > ? AND revision <= ? AND NOT EXISTS ("
    "SELECT 1 FROM objects AS o WHERE o.kind = changes.kind AND o.namespace = changes.namespace "
    "AND o.name = changes.name AND o.revision = changes.revision)"
)
"""Forget the changes in a range of revisions that no longer hold an object's text: each one
looked up by the objects table's key, so the cost follows the range, not the table."""
DELETE_CHANGE = "DELETE FROM changes WHERE revision = ?"
SET_COMPACTED = "UPDATE compaction SET revision = ?"

OBJECT = (
    "SELECT revision, labels, json FROM objects CROSS JOIN changes USING (revision) "
    "WHERE objects.kind = ? AND objects.namespace = ? AND objects.name = ?"
)
OBJECT_ROW = "SELECT revision, labels FROM objects WHERE kind = ? AND namespace = ? AND name = ?"
TEXT_AT = "SELECT json FROM changes WHERE revision = ?"
INSERT_OBJECT = (
    "INSERT INTO objects (kind, namespace, name, revision, labels) VALUES (?, ?, ?, ?, ?)"
)
DELETE_OBJECT = "DELETE FROM objects WHERE kind = ? AND namespace = ? AND name = ?"
UPDATE_OBJECT = (
    "UPDATE objects SET revision = ?, labels = ? WHERE kind = ? AND namespace = ? AND name = ?"
)
DELETE_LABEL = (
    "DELETE FROM labels WHERE kind = ? AND key = ? AND value = ? AND namespace = ? AND name = ?"
)
INSERT_LABEL = "INSERT INTO labels (kind, key, value, namespace, name) VALUES (?, ?, ?, ?, ?)"
INSERT_CHANGE = (
    "INSERT INTO changes (revision, type, kind, namespace, name, json) VALUES (?, ?, ?, ?, ?, ?)"
)
CHANGES = "SELECT revision, type, kind, namespace, name, json FROM changes WHERE revision > ?"

SET_TIMER = (
    "INSERT INTO timers (name, due) VALUES (?, ?) ON CONFLICT (name) "
    "DO UPDATE SET due = excluded.due WHERE excluded.due < timers.due"
)
NEXT_DUE = "SELECT min(due) FROM timers"
DUE = "SELECT name FROM timers WHERE due <= ? ORDER BY due, name"
POP_DUE = "DELETE FROM timers WHERE due <= ?"

GET_META = "SELECT value FROM meta WHERE name = ?"
SET_META = (
    "INSERT INTO meta (name, value) VALUES (?, ?) "
    "ON CONFLICT (name) DO UPDATE SET value = excluded.value"
)


def changes_query(
    from_revision: int, kinds: list[str] | None, upto: int | None = None
) -> tuple[str, list[Any]]:
    """The SELECT of a watch: every change after a revision, oldest first, maybe of some kinds,
    maybe only up to a revision."""
    sql = CHANGES
    params: list[Any] = [from_revision]
    if upto is not None:
        sql += " AND revision <= ?"
        params.append(upto)
    if kinds is not None:
        sql += f" AND kind IN ({', '.join('?' * len(kinds))})"
        params += kinds
    return sql + " ORDER BY revision", params


def meta_items_query(prefix: str) -> tuple[str, tuple[str, ...]]:
    """The meta entries under a prefix: a range on the primary key (BINARY collation: code
    point order) rather than LIKE, which would scan the table and treat `%` and `_` in the
    prefix as wildcards. The caller still checks each name's prefix (see the bound below)."""
    query = "SELECT name, value FROM meta WHERE name >= ? AND value != ''"
    params: tuple[str, ...] = (prefix,)
    if prefix and ord(prefix[-1]) < 0xD7FF:  # past it the next code point may not encode
        query += " AND name < ?"
        params = (prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1))
    return query + " ORDER BY name", params


_LIST = (
    "SELECT o.labels, c.json FROM {source} CROSS JOIN changes AS c ON c.revision = o.revision "
    "WHERE {where} ORDER BY o.namespace, o.name"
)


def list_query(kind: str, namespace: str | None, selector: Selector) -> tuple[str, list[Any]]:
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
