"""The dashboard's buttons, through HTTP: delete a pod (its controller replaces it), stop and
start a node, scale (in the manifest the workload came from), send requests to a service; and
their mistakes, answered as Status objects."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from reconciler.model.keys import ObjectKey
from reconciler.runtime.session import Cluster
from tests.web.conftest import pods

RC = ObjectKey("ReplicationController", "default", "kubia")


def names(cluster: Cluster) -> set[str]:
    return {pod["metadata"]["name"] for pod in pods(cluster)}


def ready_status(cluster: Cluster, node: str) -> str:
    conditions = cluster.api.get(ObjectKey("Node", "", node))["status"]["conditions"]
    return str(next(c for c in conditions if c["type"] == "Ready")["status"])


def test_a_deleted_pod_terminates_and_its_controller_replaces_it(
    client: httpx.Client, kubia: Cluster
) -> None:
    before = names(kubia)
    victim = sorted(before)[0]

    answer = client.post("/reconciler/v1/delete", json={"kind": "pod", "name": victim})
    terminating = kubia.api.get(ObjectKey("Pod", "default", victim))
    kubia.advance()

    assert answer.status_code == 200
    assert answer.json()["metadata"]["deletionTimestamp"]
    assert terminating["metadata"]["deletionTimestamp"]
    after = names(kubia)
    assert victim not in after
    assert len(after) == 3 and len(after - before) == 1


def test_a_stopped_node_turns_not_ready_and_its_pods_move(
    client: httpx.Client, kubia: Cluster
) -> None:
    node = kubia.api.get(ObjectKey("Pod", "default", sorted(names(kubia))[0]))["spec"]["nodeName"]

    stopped = client.post(f"/reconciler/v1/nodes/{node}/stop", json={})
    kubia.advance()

    assert stopped.status_code == 200
    assert stopped.json()["metadata"]["annotations"]["reconciler.dev/kubelet"] == "stopped"
    assert ready_status(kubia, node) != "True"
    serving = [
        p
        for p in pods(kubia)
        if not p["metadata"].get("deletionTimestamp") and p["spec"]["nodeName"] != node
    ]
    assert len(serving) == 3

    started = client.post(f"/reconciler/v1/nodes/{node}/start", json={})
    kubia.advance()

    assert started.status_code == 200
    assert ready_status(kubia, node) == "True"


def test_scaling_a_workload_from_a_folder_edits_its_manifest(
    client: httpx.Client, kubia: Cluster, folder: Path
) -> None:
    answer = client.post(
        "/reconciler/v1/scale",
        json={"kind": "rc", "namespace": "default", "name": "kubia", "replicas": 5},
    )
    kubia.advance()

    assert answer.status_code == 200, answer.text
    manifest = folder / "kubia-rc.yaml"
    assert answer.json() == {
        "kind": "ReplicationController",
        "namespace": "default",
        "name": "kubia",
        "replicas": 5,
        "manifest": str(manifest),
    }
    text = manifest.read_text()
    assert "replicas: 5            # the desired count" in text
    assert kubia.api.get(RC)["spec"]["replicas"] == 5
    assert len(names(kubia)) == 5


def test_scaling_live_changes_only_the_cluster(
    client: httpx.Client, kubia: Cluster, folder: Path
) -> None:
    answer = client.post(
        "/reconciler/v1/scale",
        json={"kind": "ReplicationController", "name": "kubia", "replicas": 1, "live": True},
    )

    assert answer.json()["manifest"] is None
    assert "replicas: 3" in (folder / "kubia-rc.yaml").read_text()
    assert kubia.api.get(RC)["spec"]["replicas"] == 1


def test_requests_to_a_service_tell_which_pods_answered(
    client: httpx.Client, kubia: Cluster
) -> None:
    answer = client.post(
        "/reconciler/v1/requests", json={"target": "svc/kubia-http", "count": 12}
    ).json()

    assert len(answer["replies"]) == 12
    assert answer["failed"] == 0
    assert sum(answer["answeredBy"].values()) == 12
    assert set(answer["answeredBy"]) <= names(kubia)
    reply = answer["replies"][0]
    assert reply["status"] == 200
    assert reply["body"] == f"You've hit {reply['pod']}\n"


def test_requests_to_a_service_without_ready_pods_are_refused_as_curl_says(
    client: httpx.Client, kubia: Cluster
) -> None:
    client.post(
        "/reconciler/v1/scale", json={"kind": "rc", "name": "kubia", "replicas": 0, "live": True}
    )
    kubia.advance()

    answer = client.post("/reconciler/v1/requests", json={"target": "svc/kubia-http", "count": 2})

    assert answer.json()["failed"] == 2
    assert answer.json()["replies"][0]["body"].startswith("curl: (7) Failed to connect to ")


@pytest.mark.parametrize(
    ("path", "body", "code", "reason", "message"),
    [
        (
            "/reconciler/v1/delete",
            {"kind": "pod", "name": "nope"},
            404,
            "NotFound",
            'pods "nope" not found',
        ),
        (
            "/reconciler/v1/delete",
            {"kind": "widget", "name": "x"},
            400,
            "BadRequest",
            'the server doesn\'t have a resource type "widget"',
        ),
        ("/reconciler/v1/delete", {"kind": "pod"}, 400, "BadRequest", '"name" is required'),
        (
            "/reconciler/v1/scale",
            {"kind": "rc", "name": "kubia", "replicas": "3"},
            400,
            "BadRequest",
            '"replicas" must be a whole number',
        ),
        (
            "/reconciler/v1/scale",
            {"kind": "svc", "name": "kubia-http", "replicas": 3},
            400,
            "BadRequest",
            "services cannot be scaled",
        ),
        (
            "/reconciler/v1/requests",
            {"target": "svc/nope", "count": 1},
            404,
            "NotFound",
            'services "nope" not found',
        ),
        (
            "/reconciler/v1/requests",
            {"target": "svc/kubia-http", "count": 0},
            400,
            "BadRequest",
            '"count" must be a whole number from 1',
        ),
        ("/reconciler/v1/nodes/node-9/stop", {}, 404, "NotFound", 'nodes "node-9" not found'),
    ],
)
def test_a_mistaken_action_is_answered_with_a_status(
    client: httpx.Client,
    kubia: Cluster,
    path: str,
    body: dict[str, object],
    code: int,
    reason: str,
    message: str,
) -> None:
    answer = client.post(path, json=body)

    assert answer.status_code == code
    assert answer.json()["kind"] == "Status"
    assert answer.json()["reason"] == reason
    assert answer.json()["message"].startswith(message)


def test_an_action_body_that_is_no_json_object_is_a_bad_request(client: httpx.Client) -> None:
    answer = client.post(
        "/reconciler/v1/delete", content=b"[1, 2]", headers={"Content-Type": "application/json"}
    )
    broken = client.post(
        "/reconciler/v1/delete", content=b"{", headers={"Content-Type": "application/json"}
    )
    nan = client.post(
        "/reconciler/v1/scale",
        content=b'{"name": "kubia", "replicas": NaN}',
        headers={"Content-Type": "application/json"},
    )

    assert (answer.status_code, broken.status_code, nan.status_code) == (400, 400, 400)
    assert answer.json()["message"] == "the request body must be a JSON object"
    assert broken.json()["message"] == "the request body is not valid JSON"
    assert nan.json()["message"] == "the request body is not valid JSON"
