"""Stored texts: whatever orjson writes differently from the json module reads back as given,
through every backend and the real SQLite file (reopened, as the next command would)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.selectors import parse
from reconciler.store.base import Store
from reconciler.store.codec import decode
from reconciler.store.memory import MemoryStore
from reconciler.store.sqlite import SqliteStore

KEY = ObjectKey("Pod", "default", "odd")


@pytest.fixture(params=["memory", "sqlite"])
def reopen(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Store]]:
    """Opens the backend under test; for SQLite, each call opens the same file anew."""
    opened: list[Store] = []
    memory = MemoryStore()

    def opener() -> Store:
        store: Store = memory if request.param == "memory" else SqliteStore(tmp_path / "s.db")
        opened.append(store)
        return store

    yield opener
    for store in opened:
        store.close()


def pod(**spec: object) -> Obj:
    return {
        "kind": "Pod",
        "metadata": {"name": "odd", "namespace": "default", "labels": {"app": "kubia"}},
        "spec": spec,
        "status": {"conditions": [{"type": "Ready", "lastProbeTime": None}]},
    }


def reads(store: Store) -> list[Obj]:
    """The object as get, list, a selector list and a watch hand it out."""
    got = store.get(KEY)
    assert got is not None
    (listed,) = store.list("Pod")
    (selected,) = store.list("Pod", selector=parse("app=kubia"))
    (event,) = store.watch(0)
    return [got, listed, selected, event.object]


def test_integers_beyond_64_bits_read_back_exactly(reopen: Callable[[], Store]) -> None:
    reopen().create(pod(big=2**64, negative=-(2**63) - 1, huge=[10**30]))
    for obj in reads(reopen()):
        assert obj["spec"] == {"big": 2**64, "negative": -(2**63) - 1, "huge": [10**30]}
        assert type(obj["spec"]["big"]) is int


def test_non_ascii_text_and_key_order_are_kept(reopen: Callable[[], Store]) -> None:
    reopen().create(pod(z="zürich ☸", a="東京", m={"b": 1, "a": 2.5}))
    for obj in reads(reopen()):
        assert list(obj["spec"].items()) == [
            ("z", "zürich ☸"),
            ("a", "東京"),
            ("m", {"b": 1, "a": 2.5}),
        ]


def test_keys_that_are_not_strings_become_strings_as_json_makes_them(
    reopen: Callable[[], Store],
) -> None:
    reopen().create(pod(ports={8080: "http", True: "yes"}, lone="\ud800"))
    for obj in reads(reopen()):
        assert obj["spec"] == {"ports": {"8080": "http", "true": "yes"}, "lone": "\ud800"}


def test_non_ascii_labels_select_and_survive_an_update(reopen: Callable[[], Store]) -> None:
    store = reopen()
    created = store.create({**pod(), "metadata": {**pod()["metadata"], "labels": {"é": "ü"}}})
    created["spec"] = {"changed": True}
    store.update(created)
    store = reopen()
    assert [o["spec"] for o in store.list("Pod", selector=parse("é=ü"))] == [{"changed": True}]


def test_texts_the_json_module_wrote_read_back_alike() -> None:
    # Earlier releases wrote NaN and the infinities with json, in texts that are not JSON.
    value = {"a": math.inf, "b": None, "c": "é", "d": [1.5, 2]}
    for text in (json.dumps(value), json.dumps(value, separators=(",", ":"))):
        assert decode(text) == value
    assert math.isnan(decode('{"cpu":NaN}')["cpu"])
