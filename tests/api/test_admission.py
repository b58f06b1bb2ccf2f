"""Admission: the api refuses invalid objects in the API server's words, cheaply for pods."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from reconciler.api.admission import admit
from reconciler.api.apply import Manifest, apply
from reconciler.api.metadata import owner_reference
from reconciler.api.server import Api
from reconciler.clock import VirtualClock
from reconciler.errors import AlreadyExists, Invalid, NotFound
from reconciler.model.keys import ObjectKey
from reconciler.store.memory import MemoryStore


@pytest.fixture
def api() -> Api:
    api = Api(MemoryStore(), VirtualClock(), rng=random.Random(3), validator=admit)
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    return api


def rc(selector: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": {"name": "kubia"},
        "spec": {
            "replicas": 3,
            "selector": selector,
            "template": {
                "metadata": {"labels": {"app": "kubia"}},
                "spec": {"containers": [{"name": "kubia", "image": "luksa/kubia"}]},
            },
        },
    }


def test_an_invalid_object_is_refused_with_the_api_servers_message(api: Api) -> None:
    with pytest.raises(Invalid) as raised:
        api.create(rc({"app": "other"}))
    assert str(raised.value) == (
        'Error from server (Invalid): The ReplicationController "kubia" is invalid: '
        'spec.template.metadata.labels: Invalid value: map[string]string{"app":"kubia"}: '
        "`selector` does not match template `labels`"
    )
    assert api.find(ObjectKey("ReplicationController", "default", "kubia")) is None


def test_several_problems_are_listed_in_brackets(api: Api) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "Bad_Name"},
        "spec": {"containers": [{"name": "Bad_Name", "image": "x"}]},
    }
    with pytest.raises(Invalid, match=r'The Pod "Bad_Name" is invalid: \[metadata\.name: '):
        api.create(pod)


def test_objects_the_api_itself_completed_pass_on_create_and_update(api: Api) -> None:
    created = api.create(rc({"app": "kubia"}))
    created["spec"]["replicas"] = 5
    assert api.update(created)["spec"]["replicas"] == 5
    service = api.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "kubia-http"},
            "spec": {"type": "LoadBalancer", "ports": [{"port": 80}], "selector": {"app": "k"}},
        }
    )
    service["spec"]["type"] = "ClusterIP"
    updated = api.update(service)["spec"]
    assert "nodePort" not in updated["ports"][0]
    assert "externalTrafficPolicy" not in updated


def test_objects_made_by_a_controller_from_a_validated_template_are_not_checked_again(
    api: Api,
) -> None:
    owner = api.create(rc({"app": "kubia"}))
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "generateName": "kubia-",
            "labels": {"app": "kubia"},
            "ownerReferences": [owner_reference(owner)],
            "annotations": {"not-checked": "on purpose"},
        },
        "spec": {"containers": [{"name": "kubia", "image": "luksa/kubia", "bogus": 1}]},
    }
    assert api.create(pod)["metadata"]["name"].startswith("kubia-")


def test_kinds_without_a_schema_are_left_to_the_cluster(api: Api) -> None:
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-1"}, "status": {}}
    assert api.create(node)["metadata"]["name"] == "node-1"


def test_a_create_the_caller_validated_skips_the_schema_but_not_the_servers_checks(
    api: Api,
) -> None:
    # `apply` passes validated=True for manifests read from files without errors; this object
    # would not pass, which shows the check is skipped, not run and ignored.
    unchecked = rc({"app": "other"})
    assert api.create(unchecked, validated=True)["metadata"]["name"] == "kubia"
    with pytest.raises(AlreadyExists):
        api.create(rc({"app": "kubia"}), validated=True)
    elsewhere = {**rc({"app": "kubia"}), "metadata": {"name": "x", "namespace": "missing"}}
    with pytest.raises(NotFound, match='namespaces "missing" not found'):
        api.create(elsewhere, validated=True)


def test_apply_of_validated_manifests_still_admits_what_the_merge_makes(api: Api) -> None:
    manifest = rc({"app": "kubia"})
    del manifest["spec"]["selector"]  # the server defaults it from the template's labels
    apply(api, [Manifest(manifest, "/m/rc.yaml")], source_id="/m", validated=True)
    relabelled = copy.deepcopy(manifest)
    relabelled["spec"]["template"]["metadata"]["labels"] = {"app": "v2"}
    report = apply(api, [Manifest(relabelled, "/m/rc.yaml")], source_id="/m", validated=True)
    (failure,) = report.failures
    assert "`selector` does not match template `labels`" in failure.message
    live = api.get(ObjectKey("ReplicationController", "default", "kubia"))
    assert live["spec"]["template"]["metadata"]["labels"] == {"app": "kubia"}
