"""Writes from an object the caller holds: status updates and bindings, current or stale."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from reconciler.api.server import Api
from reconciler.clock import VirtualClock
from reconciler.errors import Conflict, NotFound
from reconciler.model.keys import ObjectKey
from reconciler.store.memory import MemoryStore

STALE = (
    'Operation cannot be fulfilled on pods "kubia": the object has been modified; please apply '
    "your changes to the latest version and try again"
)


@pytest.fixture
def api() -> Api:
    api = Api(MemoryStore(), VirtualClock(), rng=random.Random(7))
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    return api


def pod(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "kubia", "labels": {"app": "kubia"}},
        "spec": {"containers": [{"name": "main", "image": "luksa/kubia"}], **spec},
    }


KEY = ObjectKey("Pod", "default", "kubia")


def test_a_status_write_from_a_current_read_replaces_only_the_status(api: Api) -> None:
    read = api.create(pod())
    held = copy.deepcopy(read)
    written = api.update_status({**read, "status": {"phase": "Running"}})
    assert read == held
    assert api.get(KEY) == written
    assert written["status"] == {"phase": "Running"}
    assert written["spec"] == read["spec"]
    assert written["metadata"] == {
        **read["metadata"],
        "resourceVersion": str(api.store.revision()),
    }


def test_a_stale_status_write_conflicts_in_the_api_servers_words_and_changes_nothing(
    api: Api,
) -> None:
    read = api.create(pod())
    relabelled = {**read, "metadata": {**read["metadata"], "labels": {"app": "other"}}}
    api.update(relabelled)
    current = api.get(KEY)
    with pytest.raises(Conflict) as raised:
        api.update_status({**read, "status": {"phase": "Running"}})
    assert str(raised.value).endswith(STALE)
    assert api.get(KEY) == current


def test_a_status_write_to_a_vanished_object_is_not_found(api: Api) -> None:
    read = api.create(pod())
    api.delete(KEY)
    with pytest.raises(NotFound) as raised:
        api.update_status({**read, "status": {"phase": "Running"}})
    assert str(raised.value) == 'Error from server (NotFound): pods "kubia" not found'


def test_a_status_write_without_a_version_keeps_what_is_stored_besides_status(api: Api) -> None:
    read = api.create(pod())
    unversioned = copy.deepcopy(read)
    del unversioned["metadata"]["resourceVersion"]
    unversioned["metadata"]["labels"] = {"app": "ignored"}
    written = api.update_status({**unversioned, "status": {"phase": "Running"}})
    assert written["metadata"]["labels"] == {"app": "kubia"}
    assert written["status"] == {"phase": "Running"}


def test_binding_a_held_pod_writes_what_binding_by_key_writes(api: Api) -> None:
    held = api.create(pod())
    before = copy.deepcopy(held)
    bound = api.bind(KEY, "node-1", uid=held["metadata"]["uid"], pod=held)
    assert held == before
    assert api.get(KEY) == bound
    by_key = Api(MemoryStore(), VirtualClock(), rng=random.Random(7))
    by_key.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    by_key.create(pod())
    assert by_key.bind(KEY, "node-1", uid=held["metadata"]["uid"]) == bound


def test_binding_a_stale_held_pod_binds_its_current_state(api: Api) -> None:
    held = api.create(pod())
    api.update_status({**held, "status": {"phase": "Pending", "qosClass": "BestEffort"}})
    bound = api.bind(KEY, "node-1", uid=held["metadata"]["uid"], pod=held)
    assert bound["spec"]["nodeName"] == "node-1"
    assert int(bound["metadata"]["resourceVersion"]) == int(held["metadata"]["resourceVersion"]) + 2


def test_binding_a_held_pod_bound_or_replaced_meanwhile_conflicts(api: Api) -> None:
    held = api.create(pod())
    api.bind(KEY, "node-2")
    with pytest.raises(Conflict, match='already assigned to node "node-2"'):
        api.bind(KEY, "node-1", uid=held["metadata"]["uid"], pod=held)
    api.delete(KEY, grace_period=0)
    api.create(pod())
    with pytest.raises(Conflict, match="Precondition failed: UID in precondition"):
        api.bind(KEY, "node-1", uid=held["metadata"]["uid"], pod=held)
    api.delete(KEY, grace_period=0)
    with pytest.raises(NotFound, match='pods "kubia" not found'):
        api.bind(KEY, "node-1", uid=held["metadata"]["uid"], pod=held)
