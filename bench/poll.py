"""Looking at a cluster's SQLite store from the bench process, read-only, cheaply.

The scenarios ask "are all pods Running yet?" and "is the new pod of app X Running yet?" many
times while a reconciler process works. Going through a `reconciler get` would itself advance
the cluster and cost a process start; decoding every pod in Python would cost seconds at 150,000
pods. So this module opens the store file read-only (`mode=ro`: it can never write or take the
write lock; WAL lets it read beside the writer) and asks SQLite itself, through its JSON
functions, over the store's tables (`objects`, `changes`, `labels`; their layout is in
reconciler/store/sqlite_schema.py).
It is the bench's only tie to the store's layout, and fails loudly if that layout changes.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

DB_NAME = "state.db"

_PHASES = (
    "SELECT json_extract(c.json, '$.status.phase') AS phase, count(*) "
    "FROM objects AS o CROSS JOIN changes AS c ON c.revision = o.revision "
    "WHERE o.kind = 'Pod' AND o.namespace = ? GROUP BY phase"
)
_APP_PODS = (
    "SELECT json_extract(c.json, '$.status.phase'), "
    "json_extract(c.json, '$.metadata.deletionTimestamp') "
    "FROM labels AS l CROSS JOIN objects AS o "
    "ON o.kind = l.kind AND o.namespace = l.namespace AND o.name = l.name "
    "CROSS JOIN changes AS c ON c.revision = o.revision "
    "WHERE l.kind = 'Pod' AND l.key = 'app' AND l.value = ? AND l.namespace = ?"
)


@dataclass(frozen=True)
class PodCount:
    """How many pods there are, and how many of them Running."""

    total: int
    running: int


class StoreReader:
    """A read-only view of one state folder's store."""

    def __init__(self, home: Path) -> None:
        path = home / DB_NAME
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout = 5000")

    def pods(self, namespace: str = "default") -> PodCount:
        """Pods in a namespace by phase."""
        phases = dict(self._db.execute(_PHASES, (namespace,)).fetchall())
        return PodCount(sum(phases.values()), phases.get("Running", 0))

    def running_of_app(self, app: str, namespace: str = "default") -> int:
        """Running pods labelled `app=<app>` that are not being deleted."""
        rows = self._db.execute(_APP_PODS, (app, namespace)).fetchall()
        return sum(1 for phase, deleting in rows if phase == "Running" and deleting is None)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> StoreReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
