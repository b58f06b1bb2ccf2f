"""Creating objects: names drawn from generateName, the caller's object, the namespace."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest

from reconciler.api.metadata import generated_name
from reconciler.api.server import Api
from reconciler.clock import VirtualClock
from reconciler.errors import AlreadyExists, NotFound
from reconciler.model.keys import ObjectKey
from reconciler.store.base import Store
from reconciler.store.memory import MemoryStore
from reconciler.store.sqlite import SqliteStore

T = TypeVar("T")


class FirstChoice(random.Random):
    """A generator whose every choice is the first: each name drawn from a base is the same."""

    def choice(self, seq: Sequence[T]) -> T:
        return seq[0]


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    store: Store = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "s.db")
    Api(store, VirtualClock()).create(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}}
    )
    yield store
    store.close()


def pod(**meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {"containers": [{"name": "main", "image": "luksa/kubia"}]},
    }


def svc(**meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta,
        "spec": {"type": "NodePort", "ports": [{"port": 80}]},
    }


def test_a_generated_name_that_is_taken_is_drawn_again(store: Store) -> None:
    first_draw = generated_name("kubia-", random.Random(3))
    Api(store, VirtualClock(), rng=random.Random(99)).create(pod(name=first_draw))
    created = Api(store, VirtualClock(), rng=random.Random(3)).create(pod(generateName="kubia-"))
    name = created["metadata"]["name"]
    assert name != first_draw
    assert name.startswith("kubia-")
    assert len(name) == len(first_draw)
    names = sorted(p["metadata"]["name"] for p in store.list("Pod", "default"))
    assert names == sorted([first_draw, name])


def test_a_service_whose_generated_name_was_taken_holds_its_addresses_under_its_own_name(
    store: Store,
) -> None:
    first_draw = generated_name("web-", random.Random(3))
    taken = Api(store, VirtualClock(), rng=random.Random(99)).create(svc(name=first_draw))
    api = Api(store, VirtualClock(), rng=random.Random(3))
    created = api.create(svc(generateName="web-"))
    ip, port = created["spec"]["clusterIP"], created["spec"]["ports"][0]["nodePort"]
    held = store.meta_items("alloc/")
    owner = f"Service/default/{created['metadata']['name']}"
    assert str(ObjectKey.of(created)) == owner
    assert held[f"alloc/clusterIP/{ip}"] == owner
    assert held[f"alloc/nodePort/{port}"] == owner
    assert held[f"alloc/clusterIP/{taken['spec']['clusterIP']}"] == str(ObjectKey.of(taken))
    api.delete(ObjectKey.of(created))
    assert set(store.meta_items("alloc/").values()) == {str(ObjectKey.of(taken))}


def test_a_base_whose_every_draw_is_taken_gives_up_and_holds_nothing(
    store: Store,
) -> None:
    api = Api(store, VirtualClock(), rng=FirstChoice())
    api.create(pod(generateName="kubia-"))
    taken = api.create(svc(generateName="kubia-"))
    revision = store.revision()
    for manifest in (pod(generateName="kubia-"), svc(generateName="kubia-")):
        with pytest.raises(AlreadyExists, match="could not generate a free name from 'kubia-'"):
            api.create(manifest)
    assert store.revision() == revision
    assert set(store.meta_items("alloc/").values()) == {str(ObjectKey.of(taken))}


def test_an_existing_name_is_refused_in_the_api_servers_words_holding_nothing(
    store: Store,
) -> None:
    api = Api(store, VirtualClock(), rng=random.Random(1))
    taken = api.create(svc(name="web"))
    api.create({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"}})
    with store.transaction():  # as in the manager's instant: nothing rolls back the refusals
        with pytest.raises(AlreadyExists) as raised:
            api.create(svc(name="web"))
        assert str(raised.value).endswith('services "web" already exists')
        with pytest.raises(AlreadyExists) as raised:
            api.create({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"}})
        assert str(raised.value).endswith('replicasets "web" already exists')
        held = store.meta_items("alloc/")
    assert held == {
        f"alloc/clusterIP/{taken['spec']['clusterIP']}": "Service/default/web",
        f"alloc/nodePort/{taken['spec']['ports'][0]['nodePort']}": "Service/default/web",
    }
    assert api.get(ObjectKey.of(taken)) == taken


def test_a_dry_run_draws_a_name_that_is_free(store: Store) -> None:
    first_draw = generated_name("kubia-", random.Random(3))
    Api(store, VirtualClock(), rng=random.Random(99)).create(pod(name=first_draw))
    revision = store.revision()
    created = Api(store, VirtualClock(), rng=random.Random(3)).create(
        pod(generateName="kubia-"), dry_run=True
    )
    assert created["metadata"]["name"] not in (first_draw, "")
    assert store.revision() == revision


def test_creating_leaves_the_callers_object_as_it_was(store: Store) -> None:
    manifest = pod(generateName="kubia-", labels={"app": "kubia"})
    before = copy.deepcopy(manifest)
    created = Api(store, VirtualClock()).create(manifest)
    assert manifest == before
    created["spec"]["containers"][0]["image"] = "changed"
    created["metadata"]["labels"]["app"] = "changed"
    assert manifest == before


def test_a_namespace_deleted_then_used_is_refused(store: Store) -> None:
    api = Api(store, VirtualClock())
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    api.create(pod(name="first", namespace="team"))
    with store.transaction():
        api.delete(ObjectKey("Namespace", "", "team"))
        with pytest.raises(NotFound, match='namespaces "team" not found'):
            api.create(pod(name="second", namespace="team"))
    with pytest.raises(NotFound, match='namespaces "team" not found'):
        api.create(pod(name="third", namespace="team"))
