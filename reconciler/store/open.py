"""Open the store a command or the daemon names: the one place that picks a backend.

Called by the CLI (once per command) and the daemon; tests may build backends directly.
"""

from __future__ import annotations

from pathlib import Path

from reconciler.errors import StoreError
from reconciler.store.base import Store
from reconciler.store.memory import MemoryStore
from reconciler.store.paths import default_db_path
from reconciler.store.sqlite import SqliteStore

MEMORY = ":memory:"


def open_store(url_or_path: str | Path | None = None, *, long_lived: bool = False) -> Store:
    """None: the default SQLite file under the state folder; ":memory:": a fresh in-memory store;
    `sqlite:///abs/path` or a plain path: that SQLite file (created on first use).

    `long_lived` (the daemon): a SQLite file's log is checkpointed on a thread of its own, not
    by the process's commits (store/sqlite_checkpoint.py says why)."""
    if url_or_path == MEMORY:
        return MemoryStore()
    return SqliteStore(_sqlite_path(url_or_path), background_checkpoints=long_lived)


def _sqlite_path(url_or_path: str | Path | None) -> Path:
    """The SQLite file a store argument names."""
    if url_or_path is None:
        return default_db_path()
    if isinstance(url_or_path, Path):
        return url_or_path
    scheme, separator, rest = url_or_path.partition("://")
    if not separator:
        return Path(url_or_path).expanduser()
    if scheme == "sqlite" and rest:
        return Path(rest)
    raise StoreError(
        f"unsupported store {url_or_path!r} (use a file path, sqlite:///PATH or {MEMORY})"
    )
