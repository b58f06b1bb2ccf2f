"""Which store a location names, and where the default one lives."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import StoreError
from reconciler.store.memory import MemoryStore
from reconciler.store.open import open_store
from reconciler.store.paths import default_db_path, state_home
from reconciler.store.sqlite import SqliteStore


def test_the_state_folder_is_reconciler_home_when_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RECONCILER_HOME", str(tmp_path / "home"))

    assert state_home() == tmp_path / "home"
    assert default_db_path() == tmp_path / "home" / "state.db"


def test_the_state_folder_defaults_to_local_state_in_the_users_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("RECONCILER_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))

    assert state_home() == tmp_path / ".local" / "state" / "reconciler"


def test_no_location_opens_the_default_file_creating_its_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RECONCILER_HOME", str(tmp_path / "deep" / "home"))

    store = open_store(None)
    store.close()

    assert isinstance(store, SqliteStore)
    assert (tmp_path / "deep" / "home" / "state.db").is_file()


def test_memory_opens_a_fresh_in_memory_store() -> None:
    assert isinstance(open_store(":memory:"), MemoryStore)


@pytest.mark.parametrize("form", ["path", "text", "url"])
def test_a_path_or_sqlite_url_opens_that_file(tmp_path: Path, form: str) -> None:
    target = tmp_path / "mine.db"
    location = {"path": target, "text": str(target), "url": f"sqlite://{target}"}[form]

    store = open_store(location)
    store.close()

    assert isinstance(store, SqliteStore)
    assert store.path == target


def test_an_unknown_kind_of_store_is_refused() -> None:
    with pytest.raises(StoreError, match="unsupported store 'etcd://localhost:2379'"):
        open_store("etcd://localhost:2379")
