"""Pure facts about Deployments: the pod-template-hash, template equality ignoring it, finding
the new ReplicaSet, and the lines `rollout status` prints."""

from __future__ import annotations

import re
from typing import Any

import pytest

from reconciler.model.deployments import (
    HASH_LABEL,
    equal_ignoring_hash,
    fnv32a,
    new_replica_set,
    old_replica_sets,
    pod_template_hash,
    rollout_status,
    safe_encode,
)

TEMPLATE: dict[str, Any] = {
    "metadata": {"labels": {"app": "kubia"}},
    "spec": {"containers": [{"name": "nodejs", "image": "luksa/kubia:v1"}]},
}


def test_fnv32a_matches_the_reference_vectors() -> None:
    assert fnv32a(b"") == 0x811C9DC5
    assert fnv32a(b"a") == 0xE40C292C
    assert fnv32a(b"foobar") == 0xBF9CF968


def test_safe_encoding_maps_digits_onto_the_kubernetes_alphabet() -> None:
    # rand.SafeEncodeString of "765" in Kubernetes: '7'→c, '6'→b, '5'→9
    assert safe_encode("765") == "cb9"


def test_the_hash_has_the_shape_of_a_kubernetes_one() -> None:
    value = pod_template_hash(TEMPLATE)
    assert re.fullmatch(r"[45679bcdf]{1,10}", value)
    assert 8 <= len(value) <= 10
    assert pod_template_hash(TEMPLATE, 0) != value


def test_templates_differing_only_in_the_hash_label_or_empty_fields_are_equal() -> None:
    hashed = {
        "metadata": {"labels": {"app": "kubia", HASH_LABEL: "5d8f6c9b7"}, "annotations": {}},
        "spec": {"containers": [{"name": "nodejs", "image": "luksa/kubia:v1", "env": []}]},
    }
    assert equal_ignoring_hash(hashed, TEMPLATE)
    other = {**TEMPLATE, "spec": {"containers": [{"name": "nodejs", "image": "luksa/kubia:v2"}]}}
    assert not equal_ignoring_hash(other, TEMPLATE)


def _rs(name: str, created: str, image: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "uid": name, "creationTimestamp": created},
        "spec": {
            "template": {
                "metadata": {"labels": {"app": "kubia", HASH_LABEL: name}},
                "spec": {"containers": [{"name": "nodejs", "image": image}]},
            }
        },
    }


def test_the_new_replica_set_is_the_oldest_running_the_current_template() -> None:
    deployment = {"metadata": {"name": "kubia"}, "spec": {"template": TEMPLATE}}
    sets = [
        _rs("b", "2024-01-02T00:00:00Z", "luksa/kubia:v1"),
        _rs("a", "2024-01-03T00:00:00Z", "luksa/kubia:v1"),
        _rs("c", "2024-01-01T00:00:00Z", "luksa/kubia:v2"),
    ]
    new = new_replica_set(deployment, sets)
    assert new is not None and new["metadata"]["name"] == "b"
    assert [rs["metadata"]["name"] for rs in old_replica_sets(deployment, sets)] == ["c", "a"]


def _deployment(**status: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "kubia", "generation": status.pop("generation", 2)},
        "spec": {"replicas": 3},
        "status": {"observedGeneration": 2, **status},
    }


@pytest.mark.parametrize(
    ("status", "line"),
    [
        ({"generation": 3}, "Waiting for deployment spec update to be observed..."),
        (
            {"replicas": 4, "updatedReplicas": 1},
            'Waiting for deployment "kubia" rollout to finish: 1 out of 3 new replicas have '
            "been updated...",
        ),
        (
            {"replicas": 4, "updatedReplicas": 3},
            'Waiting for deployment "kubia" rollout to finish: 1 old replicas are pending '
            "termination...",
        ),
        (
            {"replicas": 3, "updatedReplicas": 3, "availableReplicas": 2},
            'Waiting for deployment "kubia" rollout to finish: 2 of 3 updated replicas are '
            "available...",
        ),
        (
            {"replicas": 3, "updatedReplicas": 3, "availableReplicas": 3},
            'deployment "kubia" successfully rolled out',
        ),
    ],
)
def test_rollout_status_speaks_as_kubectl(status: dict[str, Any], line: str) -> None:
    reading = rollout_status(_deployment(**status))
    assert reading.message == line
    assert reading.done == line.endswith("rolled out")
    assert not reading.failed


def test_a_rollout_past_its_deadline_is_a_failure() -> None:
    deployment = _deployment(
        replicas=4,
        updatedReplicas=1,
        conditions=[
            {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}
        ],
    )
    reading = rollout_status(deployment)
    assert reading.failed and not reading.done
    assert reading.message == 'deployment "kubia" exceeded its progress deadline'
