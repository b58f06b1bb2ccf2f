"""An informer follows the store's watch and answers index queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.api.informer import Changes, Informer
from reconciler.model.keys import Obj, ObjectKey
from reconciler.store.base import Store
from reconciler.store.memory import MemoryStore
from reconciler.store.sqlite import SqliteStore


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "s.db")


def service(name: str, app: str) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"selector": {"app": app}},
    }


def by_app(obj: Obj) -> list[str]:
    return [f"app={v}" for v in obj["spec"]["selector"].values()]


def test_an_index_follows_creates_updates_and_deletes(store: Store) -> None:
    informer = Informer(store, ["Service"])
    informer.add_index("app", by_app)
    store.create(service("a", "kubia"))
    informer.sync()
    assert informer.by_index("app", "app=kubia") == {ObjectKey("Service", "default", "a")}
    changed = store.get(ObjectKey("Service", "default", "a"))
    assert changed is not None
    changed["spec"]["selector"] = {"app": "other"}
    store.update(changed)
    store.create(service("b", "kubia"))
    informer.sync()
    assert informer.by_index("app", "app=kubia") == {ObjectKey("Service", "default", "b")}
    store.delete(ObjectKey("Service", "default", "b"))
    informer.sync()
    assert informer.by_index("app", "app=kubia") == set()
    assert informer.by_index("app", "app=other") == {ObjectKey("Service", "default", "a")}


def test_changes_to_other_kinds_are_not_followed(store: Store) -> None:
    informer = Informer(store, ["Service"])
    informer.sync()
    store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}})
    informer.sync()
    assert informer.get(ObjectKey("Pod", "", "p")) is None


def test_a_compacted_history_is_relisted() -> None:
    store = MemoryStore(history=2)
    informer = Informer(store, ["Service"])
    informer.add_index("app", by_app)
    informer.sync()
    for i in range(10):
        store.create(service(f"s{i}", "kubia"))
    informer.sync()
    assert len(informer.by_index("app", "app=kubia")) == 10


def changes_since(store: Store, revision: int, kinds: frozenset[str]) -> Changes:
    """What the manager hands its controllers' caches: the decoded changes after `revision`."""
    return Changes(revision, store.revision(), kinds, store.watch(revision, kinds=kinds))


def test_observed_changes_that_follow_on_are_applied(store: Store) -> None:
    informer = Informer(store, ["Service"])
    informer.add_index("app", by_app)
    informer.sync()
    store.create(service("a", "kubia"))
    store.create(service("b", "kubia"))
    store.delete(ObjectKey("Service", "default", "a"))

    informer.observe(changes_since(store, 0, frozenset({"Service", "Pod"})))

    assert informer.by_index("app", "app=kubia") == {ObjectKey("Service", "default", "b")}


def test_observed_changes_that_overlap_what_was_synced_apply_only_the_newer_ones(
    store: Store,
) -> None:
    informer = Informer(store, ["Service"])
    informer.add_index("app", by_app)
    store.create(service("a", "kubia"))
    informer.sync()
    store.delete(ObjectKey("Service", "default", "a"))
    store.create(service("a", "other"))

    informer.observe(changes_since(store, 0, frozenset({"Service"})))

    assert informer.by_index("app", "app=kubia") == set()
    assert informer.by_index("app", "app=other") == {ObjectKey("Service", "default", "a")}


def test_observed_changes_with_a_gap_or_missing_a_kind_are_left_to_the_next_sync(
    store: Store,
) -> None:
    informer = Informer(store, ["Service", "Endpoints"])
    informer.add_index("app", by_app)
    informer.sync()
    store.create(service("a", "kubia"))
    after_a = store.revision()
    store.create(service("b", "kubia"))

    informer.observe(changes_since(store, after_a, frozenset({"Service", "Endpoints"})))
    informer.observe(changes_since(store, 0, frozenset({"Service"})))
    assert informer.by_index("app", "app=kubia") == set()

    informer.sync()
    assert len(informer.by_index("app", "app=kubia")) == 2


def test_a_transform_decides_what_is_kept(store: Store) -> None:
    def selector_only(obj: Obj) -> Obj:
        return {"metadata": obj["metadata"], "spec": {"selector": obj["spec"]["selector"]}}

    informer = Informer(store, ["Service"], transform=selector_only)
    informer.add_index("app", by_app)
    kept = service("a", "kubia")
    kept["spec"]["ports"] = [{"port": 80}]
    store.create(kept)
    informer.sync()

    held = informer.get(ObjectKey("Service", "default", "a"))
    assert held is not None and held["spec"] == {"selector": {"app": "kubia"}}
    assert informer.by_index("app", "app=kubia") == {ObjectKey("Service", "default", "a")}
