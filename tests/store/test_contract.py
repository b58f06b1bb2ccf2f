"""The store contract, run against every backend: what the api may rely on whichever it gets."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reconciler.errors import AlreadyExists, Conflict, Expired, NotFound
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.selectors import from_label_selector, parse
from reconciler.store.base import EventType, Store
from reconciler.store.memory import MemoryStore
from reconciler.store.records import HISTORY
from reconciler.store.sqlite import SqliteStore

Opener = Callable[..., Store]


@pytest.fixture(params=["memory", "sqlite"])
def open_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens stores of the backend under test (`history=` bounds their watch history)."""
    opened: list[Store] = []

    def opener(*, history: int = HISTORY) -> Store:
        if request.param == "memory":
            store: Store = MemoryStore(history=history)
        else:
            store = SqliteStore(tmp_path / f"state-{len(opened)}.db", history=history)
        opened.append(store)
        return store

    yield opener
    for store in opened:
        store.close()


@pytest.fixture
def store(open_backend: Opener) -> Store:
    return open_backend()


def pod(name: str, namespace: str = "default", **labels: str) -> Obj:
    metadata: dict[str, object] = {"name": name, "namespace": namespace}
    if labels:
        metadata["labels"] = labels
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": {"containers": []}}


def key(name: str, namespace: str = "default") -> ObjectKey:
    return ObjectKey("Pod", namespace, name)


def names(objects: list[Obj]) -> list[str]:
    return [o["metadata"]["name"] for o in objects]


# -- reading and creating ------------------------------------------------------------------------


def test_a_created_object_reads_back_with_its_resource_version(store: Store) -> None:
    created = store.create(pod("a", app="kubia"))

    assert created["metadata"]["resourceVersion"] == "1"
    assert store.get(key("a")) == created
    assert created["metadata"]["labels"] == {"app": "kubia"}


def test_a_missing_object_reads_as_none(store: Store) -> None:
    assert store.get(key("nobody")) is None


def test_an_object_exists_from_its_create_to_its_delete_inside_and_outside_transactions(
    store: Store,
) -> None:
    assert not store.exists(key("a"))
    with store.transaction():
        store.create(pod("a"))
        assert store.exists(key("a"))
        assert not store.exists(key("a", "other"))
    assert store.exists(key("a"))
    with store.transaction():
        store.delete(key("a"))
        assert not store.exists(key("a"))
    assert not store.exists(key("a"))


def test_callers_may_mutate_what_they_give_and_get_without_touching_the_store(
    store: Store,
) -> None:
    given = pod("a", app="kubia")
    created = store.create(given)
    given["spec"]["containers"].append({"name": "late"})
    created["metadata"]["labels"]["app"] = "changed"
    store.get(key("a"))["spec"]["hostname"] = "changed"  # type: ignore[index]
    store.list("Pod")[0]["status"] = {"phase": "Changed"}

    expected = pod("a", app="kubia")
    expected["metadata"]["resourceVersion"] = "1"
    assert store.get(key("a")) == expected
    assert "resourceVersion" not in given["metadata"]
    assert names(store.list("Pod", selector=parse("app=kubia"))) == ["a"]


def test_creating_a_taken_name_fails_with_already_exists(store: Store) -> None:
    store.create(pod("a"))

    with pytest.raises(AlreadyExists, match='pods "a" already exists'):
        store.create(pod("a"))
    assert store.revision() == 1


def test_the_same_name_may_live_in_two_namespaces_and_in_two_kinds(store: Store) -> None:
    store.create(pod("a", "default"))
    store.create(pod("a", "other"))
    store.create({"kind": "Service", "metadata": {"name": "a", "namespace": "default"}})

    assert store.get(key("a", "other")) is not None
    assert names(store.list("Service")) == ["a"]
    assert len(store.list("Pod")) == 2


def test_cluster_scoped_objects_live_in_the_empty_namespace(store: Store) -> None:
    store.create({"kind": "Node", "metadata": {"name": "node-1", "labels": {"zone": "a"}}})

    assert store.get(ObjectKey("Node", "", "node-1")) is not None
    assert names(store.list("Node", "", parse("zone=a"))) == ["node-1"]


# -- listing -------------------------------------------------------------------------------------


def test_a_list_holds_one_kind_ordered_by_namespace_then_name(store: Store) -> None:
    for namespace, name in [("zeta", "a"), ("default", "c"), ("default", "b"), ("alpha", "z")]:
        store.create(pod(name, namespace))
    store.create({"kind": "Service", "metadata": {"name": "svc", "namespace": "default"}})

    listed = store.list("Pod")

    assert [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in listed] == [
        ("alpha", "z"),
        ("default", "b"),
        ("default", "c"),
        ("zeta", "a"),
    ]
    assert names(store.list("Pod", "default")) == ["b", "c"]
    assert store.list("Pod", "nowhere") == []
    assert store.list("Deployment") == []


def test_a_list_by_equality_selector_returns_only_matching_objects(store: Store) -> None:
    store.create(pod("web-1", app="web", tier="front"))
    store.create(pod("web-2", app="web", tier="back"))
    store.create(pod("db-1", app="db", tier="back"))
    store.create(pod("bare"))
    store.create(pod("web-x", "other", app="web"))

    assert names(store.list("Pod", "default", parse("app=web"))) == ["web-1", "web-2"]
    assert names(store.list("Pod", "default", parse("app==web,tier=back"))) == ["web-2"]
    assert names(store.list("Pod", None, parse("app=web"))) == ["web-1", "web-2", "web-x"]
    assert store.list("Pod", "default", parse("app=nothing")) == []


def test_a_list_by_set_based_selector_honours_in_notin_exists_and_not_exists(
    store: Store,
) -> None:
    store.create(pod("a", env="prod", tier="front"))
    store.create(pod("b", env="dev"))
    store.create(pod("c", env="qa", tier="back"))
    store.create(pod("d"))

    def listed(selector: str) -> list[str]:
        return names(store.list("Pod", "default", parse(selector)))

    assert listed("env in (prod,qa)") == ["a", "c"]
    assert listed("env notin (prod,qa)") == ["b", "d"]
    assert listed("tier") == ["a", "c"]
    assert listed("!tier") == ["b", "d"]
    assert listed("env in (prod,dev),!tier") == ["b"]
    assert listed("tier,env notin (qa)") == ["a"]


def test_an_inequality_also_matches_objects_without_the_label(store: Store) -> None:
    store.create(pod("a", tier="db"))
    store.create(pod("b", tier="web"))
    store.create(pod("c"))

    assert names(store.list("Pod", selector=parse("tier!=db"))) == ["b", "c"]


def test_a_match_labels_and_expressions_selector_lists_like_its_string_form(
    store: Store,
) -> None:
    store.create(pod("a", app="kubia", env="prod"))
    store.create(pod("b", app="kubia", env="dev"))
    selector = from_label_selector(
        {
            "matchLabels": {"app": "kubia"},
            "matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["dev"]}],
        }
    )

    assert names(store.list("Pod", selector=selector)) == ["a"]


def test_lists_follow_labels_changed_or_removed_by_updates_and_deletes(store: Store) -> None:
    store.create(pod("a", app="old"))
    store.create(pod("b", app="old"))
    moved = store.get(key("a"))
    assert moved is not None
    moved["metadata"]["labels"] = {"app": "new"}
    store.update(moved)
    store.delete(key("b"))

    assert store.list("Pod", selector=parse("app=old")) == []
    assert names(store.list("Pod", selector=parse("app=new"))) == ["a"]
    assert names(store.list("Pod", selector=parse("app"))) == ["a"]


# -- updating and deleting -----------------------------------------------------------------------


def test_an_update_replaces_the_object_and_moves_its_resource_version(store: Store) -> None:
    created = store.create(pod("a"))
    created["spec"]["nodeName"] = "node-1"

    updated = store.update(created)

    assert updated["metadata"]["resourceVersion"] == "2"
    assert store.get(key("a")) == updated
    assert updated["spec"]["nodeName"] == "node-1"


def test_an_update_from_a_stale_resource_version_fails_with_conflict(store: Store) -> None:
    first = store.create(pod("a"))
    store.update(dict(first))

    with pytest.raises(Conflict, match='on pods "a": the object has been modified'):
        store.update(first)
    assert store.revision() == 2


def test_an_update_without_resource_version_is_unconditional(store: Store) -> None:
    store.create(pod("a"))
    store.update(pod("a"))

    assert store.update(pod("a", app="x"))["metadata"]["resourceVersion"] == "3"


def test_updating_a_missing_object_fails_with_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match='pods "a" not found'):
        store.update(pod("a"))
    assert store.revision() == 0


def test_a_delete_removes_the_object_and_returns_its_last_state(store: Store) -> None:
    store.create(pod("a", app="kubia"))

    removed = store.delete(key("a"))

    assert store.get(key("a")) is None
    assert removed["metadata"]["labels"] == {"app": "kubia"}
    assert removed["metadata"]["resourceVersion"] == "2"  # the revision of the deletion


def test_a_delete_compares_and_swaps_when_given_a_resource_version(store: Store) -> None:
    store.create(pod("a"))
    store.update(pod("a"))

    with pytest.raises(Conflict):
        store.delete(key("a"), resource_version="1")
    assert store.get(key("a")) is not None
    store.delete(key("a"), resource_version="2")
    assert store.get(key("a")) is None


def test_deleting_a_missing_object_fails_with_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match='pods "a" not found'):
        store.delete(key("a"))


def test_errors_name_grouped_kinds_as_the_api_server_does(store: Store) -> None:
    with pytest.raises(NotFound, match=re.escape('replicasets.apps "web" not found')):
        store.delete(ObjectKey("ReplicaSet", "default", "web"))


# -- revisions and watching ----------------------------------------------------------------------


def test_every_write_moves_the_global_revision_by_one_and_failed_writes_do_not(
    store: Store,
) -> None:
    assert store.revision() == 0
    store.create(pod("a"))
    store.create({"kind": "Service", "metadata": {"name": "s", "namespace": "default"}})
    with pytest.raises(AlreadyExists):
        store.create(pod("a"))
    store.update(pod("a"))
    store.delete(key("a"))
    store.set_meta("checkpoint", "4")
    store.set_timer("t", 1.0)

    assert store.revision() == 4
    assert store.get(ObjectKey("Service", "default", "s"))["metadata"]["resourceVersion"] == "2"  # type: ignore[index]


def test_a_watch_sees_every_change_after_a_revision_in_order_including_deletes(
    store: Store,
) -> None:
    store.create(pod("before"))
    start = store.revision()
    store.create(pod("a", app="x"))
    store.update(pod("a", app="y"))
    store.delete(key("before"))
    store.create({"kind": "Service", "metadata": {"name": "s", "namespace": "default"}})

    events = store.watch(start)

    assert [(e.type, e.revision, str(e.key)) for e in events] == [
        (EventType.ADDED, 2, "Pod/default/a"),
        (EventType.MODIFIED, 3, "Pod/default/a"),
        (EventType.DELETED, 4, "Pod/default/before"),
        (EventType.ADDED, 5, "Service/default/s"),
    ]
    assert events[0].object["metadata"]["labels"] == {"app": "x"}
    assert events[1].object["metadata"]["labels"] == {"app": "y"}
    assert [e.object["metadata"]["resourceVersion"] for e in events] == ["2", "3", "4", "5"]
    assert [e.revision for e in store.watch(3)] == [4, 5]


def test_a_watch_of_some_kinds_sees_only_their_changes_in_order(store: Store) -> None:
    store.create(pod("a"))
    store.create({"kind": "Event", "metadata": {"name": "e", "namespace": "default"}})
    store.create({"kind": "Service", "metadata": {"name": "s", "namespace": "default"}})
    store.delete(key("a"))

    events = store.watch(0, kinds={"Pod", "Service"})

    assert [(e.type, e.revision, str(e.key)) for e in events] == [
        (EventType.ADDED, 1, "Pod/default/a"),
        (EventType.ADDED, 3, "Service/default/s"),
        (EventType.DELETED, 4, "Pod/default/a"),
    ]
    assert events[1].object["metadata"]["name"] == "s"
    assert store.watch(0, kinds=()) == []
    assert [e.revision for e in store.watch(1, kinds=["Event"])] == [2]


def test_a_watch_up_to_a_revision_sees_only_the_changes_up_to_it(store: Store) -> None:
    for name in ("a", "b", "c", "d"):
        store.create(pod(name))
    store.create({"kind": "Event", "metadata": {"name": "e", "namespace": "default"}})

    assert [e.revision for e in store.watch(1, upto=3)] == [2, 3]
    assert [e.revision for e in store.watch(0, upto=9)] == [1, 2, 3, 4, 5]
    assert [e.revision for e in store.watch(3, upto=5, kinds={"Pod"})] == [4]
    assert store.watch(2, upto=2) == []
    assert store.watch(3, upto=1) == []
    with store.transaction():  # inside a write transaction too (the SQLite store's own cache)
        start = store.revision()
        store.create(pod("f"))
        store.create(pod("g"))
        assert [e.key.name for e in store.watch(start, upto=start + 1)] == ["f"]


def test_a_watch_from_the_current_revision_or_later_is_empty(store: Store) -> None:
    assert store.watch(0) == []
    store.create(pod("a"))

    assert store.watch(1) == []
    assert store.watch(7) == []


def test_a_watch_from_a_compacted_revision_fails_with_expired(open_backend: Opener) -> None:
    store = open_backend(history=5)
    for number in range(12):
        store.create(pod(f"p{number}"))

    with pytest.raises(Expired, match="too old resource version: 0"):
        store.watch(0)
    recent = store.watch(store.revision() - 5)
    assert [e.revision for e in recent] == [8, 9, 10, 11, 12]


def test_compaction_keeps_objects_last_written_long_ago(open_backend: Opener) -> None:
    store = open_backend(history=3)
    store.create(pod("old", app="x"))
    store.create(pod("busy"))
    for number in range(9):
        store.update(pod("busy", n=str(number)))

    assert store.get(key("old"))["metadata"]["resourceVersion"] == "1"  # type: ignore[index]
    assert names(store.list("Pod", selector=parse("app=x"))) == ["old"]
    with pytest.raises(Expired):
        store.watch(1)
    assert [e.revision for e in store.watch(8)] == [9, 10, 11]
    assert store.delete(key("old"))["metadata"]["labels"] == {"app": "x"}


def test_history_is_compacted_only_when_a_transaction_commits(open_backend: Opener) -> None:
    store = open_backend(history=2)
    with store.transaction():
        for number in range(6):
            store.create(pod(f"p{number}"))
        assert [e.revision for e in store.watch(0)] == [1, 2, 3, 4, 5, 6]

    assert [e.revision for e in store.watch(4)] == [5, 6]
    with pytest.raises(Expired):
        store.watch(0)


def test_a_wait_returns_once_another_thread_writes(store: Store) -> None:
    writer = threading.Thread(target=store.create, args=(pod("a"),))
    writer.start()

    assert store.wait(0, timeout=10.0)
    writer.join()
    assert store.wait(0, timeout=0.0)
    assert not store.wait(1, timeout=0.0)


# -- transactions --------------------------------------------------------------------------------


def test_meta_items_lists_the_entries_under_a_prefix_by_name_without_cleared_ones(
    store: Store,
) -> None:
    store.set_meta("inventory/a/Pod/default/y", "uid-y")
    store.set_meta("inventory/a/Pod/default/x", "uid-x")
    store.set_meta("inventory/a/Pod/default/gone", "uid-g")
    store.set_meta("inventory/a/Pod/default/gone", "")
    store.set_meta("inventory/ab/Pod/default/z", "uid-z")
    store.set_meta("inventory/a", "old")
    store.set_meta("inventory/a%/Pod/default/w", "uid-w")

    assert store.meta_items("inventory/a/") == {
        "inventory/a/Pod/default/x": "uid-x",
        "inventory/a/Pod/default/y": "uid-y",
    }
    assert list(store.meta_items("inventory/a/")) == sorted(store.meta_items("inventory/a/"))
    assert store.meta_items("inventory/none/") == {}
    assert len(store.meta_items("")) == 5


def test_meta_items_see_the_writes_of_the_open_transaction_and_its_rollback(
    store: Store,
) -> None:
    store.set_meta("p/kept", "1")
    with pytest.raises(RuntimeError), store.transaction():
        store.set_meta("p/new", "2")
        store.set_meta("p/kept", "")
        assert store.meta_items("p/") == {"p/new": "2"}
        raise RuntimeError("abandon")

    assert store.meta_items("p/") == {"p/kept": "1"}


def test_a_transaction_commits_all_its_writes_together(store: Store) -> None:
    with store.transaction():
        store.create(pod("a"))
        store.create(pod("b"))
        assert store.revision() == 2
        assert names(store.list("Pod")) == ["a", "b"]

    assert store.revision() == 2
    assert names(store.list("Pod")) == ["a", "b"]


def test_an_exception_in_a_transaction_rolls_back_objects_meta_timers_and_revision(
    store: Store,
) -> None:
    store.create(pod("kept", app="old"))
    store.create(pod("doomed"))
    store.set_meta("checkpoint", "2")
    store.set_timer("sync", 50.0)

    with pytest.raises(RuntimeError), store.transaction():
        store.create(pod("new", app="new"))
        store.update(pod("kept", app="changed"))
        store.delete(key("doomed"))
        store.set_meta("checkpoint", "5")
        store.set_meta("fresh", "x")
        store.set_timer("sync", 10.0)
        store.set_timer("other", 5.0)
        assert store.pop_due(10.0) == ["other", "sync"]
        raise RuntimeError("abandon")

    assert store.revision() == 2
    assert names(store.list("Pod")) == ["doomed", "kept"]
    assert names(store.list("Pod", selector=parse("app=old"))) == ["kept"]
    assert store.list("Pod", selector=parse("app in (new,changed)")) == []
    assert store.get_meta("checkpoint") == "2"
    assert store.get_meta("fresh") is None
    assert store.next_due() == 50.0
    assert store.watch(2) == []
    assert store.create(pod("next"))["metadata"]["resourceVersion"] == "3"


def test_a_nested_transaction_commits_or_rolls_back_with_the_outer_one(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        with store.transaction():
            store.create(pod("inner"))
        assert store.get(key("inner")) is not None
        raise RuntimeError("abandon")
    assert store.get(key("inner")) is None

    with store.transaction():
        with store.transaction():
            store.create(pod("inner"))
        store.create(pod("outer"))
    assert names(store.list("Pod")) == ["inner", "outer"]


def test_a_refused_write_inside_a_transaction_leaves_the_rest_of_it_intact(
    store: Store,
) -> None:
    store.create(pod("a"))
    with store.transaction():
        store.create(pod("b"))
        with pytest.raises(AlreadyExists):
            store.create(pod("a"))
        store.create(pod("c"))

    assert names(store.list("Pod")) == ["a", "b", "c"]
    assert store.revision() == 3


# -- timers and meta -----------------------------------------------------------------------------


def test_the_earliest_request_for_a_timer_wins(store: Store) -> None:
    store.set_timer("rc|default/web", 30.0)
    store.set_timer("rc|default/web", 10.0)
    store.set_timer("rc|default/web", 20.0)

    assert store.next_due() == 10.0
    assert store.pop_due(15.0) == ["rc|default/web"]
    assert store.next_due() is None


def test_due_timers_pop_earliest_first_and_later_ones_stay(store: Store) -> None:
    assert store.next_due() is None
    assert store.pop_due(100.0) == []
    for name, due in [("c", 3.0), ("a", 1.0), ("later", 9.0), ("b", 2.0), ("also-b", 2.0)]:
        store.set_timer(name, due)

    assert store.next_due() == 1.0
    assert store.pop_due(3.0) == ["a", "also-b", "b", "c"]
    assert store.next_due() == 9.0
    assert store.pop_due(3.0) == []
    store.set_timer("a", 4.0)
    assert store.pop_due(10.0) == ["a", "later"]


def test_meta_values_are_kept_and_overwritten(store: Store) -> None:
    assert store.get_meta("clock") is None
    store.set_meta("clock", "1.5")
    store.set_meta("clock", "2.5")
    store.set_meta("empty", "")

    assert store.get_meta("clock") == "2.5"
    assert store.get_meta("empty") == ""
