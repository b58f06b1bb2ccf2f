"""The read-only Kubernetes API the dashboard serves: paths from the kinds registry, lists and
errors shaped as the API server shapes them, selectors, YAML, discovery."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import httpx
import pytest

from reconciler.model.kinds import KINDS, KindInfo
from reconciler.runtime.session import Cluster
from reconciler.web.resources import collection_path
from reconciler.web.serve import DashboardServer, ServeOptions
from tests.clusters import apply_folder, open_instant
from tests.web.conftest import EXAMPLE, pods

Served = tuple[Cluster, httpx.Client]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One served cluster with the example applied, for the tests that only read."""
    folder = tmp_path_factory.mktemp("example") / "manifests"
    shutil.copytree(EXAMPLE, folder)
    with open_instant() as cluster:
        apply_folder(cluster, folder)
        server = DashboardServer(cluster, ServeOptions(port=0, advance=False))
        server.start()
        with httpx.Client(base_url=server.url, timeout=10) as client:
            yield cluster, client
        server.stop()


def test_pods_are_listed_as_a_pod_list_at_the_store_revision(example: Served) -> None:
    kubia, client = example

    answer = client.get("/api/v1/namespaces/default/pods")

    assert answer.status_code == 200
    body = answer.json()
    assert body["kind"] == "PodList"
    assert body["apiVersion"] == "v1"
    assert int(body["metadata"]["resourceVersion"]) <= kubia.store.revision()
    names = sorted(item["metadata"]["name"] for item in body["items"])
    assert names == sorted(pod["metadata"]["name"] for pod in pods(kubia))
    assert len(names) == 3
    # typed lists carry no kind or apiVersion on their items, as the API server sends them
    assert all("kind" not in item and "apiVersion" not in item for item in body["items"])
    assert all(item["status"]["phase"] == "Running" for item in body["items"])


@pytest.mark.parametrize("info", KINDS, ids=[info.plural for info in KINDS])
def test_every_registered_kind_is_listed_under_its_kubernetes_path(
    example: Served, info: KindInfo
) -> None:
    kubia, client = example
    path = collection_path(info, "default")

    answer = client.get(path)

    assert answer.status_code == 200, answer.text
    assert answer.json()["kind"] == f"{info.kind}List"
    assert answer.json()["apiVersion"] == info.api_version
    assert len(answer.json()["items"]) == len(
        kubia.api.list(info.kind, "default" if info.namespaced else None)
    )


def test_namespaced_kinds_are_listed_across_namespaces_without_one(example: Served) -> None:
    _, client = example

    everywhere = client.get("/api/v1/pods").json()
    in_default = client.get("/api/v1/namespaces/default/pods").json()

    assert len(everywhere["items"]) == len(in_default["items"]) == 3
    assert client.get("/api/v1/namespaces/kube-system/pods").json()["items"] == []


def test_one_object_is_served_whole(example: Served) -> None:
    _, client = example

    answer = client.get("/api/v1/namespaces/default/replicationcontrollers/kubia")

    assert answer.status_code == 200
    assert answer.json()["kind"] == "ReplicationController"
    assert answer.json()["status"]["readyReplicas"] == 3
    node = client.get("/api/v1/nodes/node-1").json()
    assert node["kind"] == "Node"
    assert client.get("/api/v1/namespaces/default").json()["kind"] == "Namespace"


def test_one_object_is_served_as_yaml_when_asked(example: Served) -> None:
    _, client = example

    answer = client.get(
        "/api/v1/namespaces/default/services/kubia-http", headers={"Accept": "application/yaml"}
    )

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/yaml")
    assert answer.text.startswith("apiVersion: v1\nkind: Service\nmetadata:\n")


def test_a_missing_object_is_a_404_status(example: Served) -> None:
    _, client = example

    answer = client.get("/apis/apps/v1/namespaces/default/replicasets/nope")

    assert answer.status_code == 404
    assert answer.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'replicasets.apps "nope" not found',
        "reason": "NotFound",
        "details": {"name": "nope", "kind": "replicasets", "group": "apps"},
        "code": 404,
    }
    assert client.get("/api/v1/namespaces/default/pods/nope").json()["message"] == (
        'pods "nope" not found'
    )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/widgets",
        "/api/v2/pods",
        "/apis/apps/v1/pods",
        "/api/v1/pods/kubia-x",  # a namespaced kind has no cluster-wide single path
        "/api/v1/namespaces/default/pods/kubia-x/log",
        "/nowhere",
    ],
)
def test_a_path_naming_nothing_is_the_api_servers_404(example: Served, path: str) -> None:
    _, client = example

    answer = client.get(path)

    assert answer.status_code == 404
    assert answer.json()["reason"] == "NotFound"
    assert answer.json()["message"] == "the server could not find the requested resource"


def test_a_label_selector_filters_the_list(client: httpx.Client, kubia: Cluster) -> None:
    pod = pods(kubia)[0]
    pod["metadata"]["labels"] = {"app": "kubia", "tier": "front"}
    kubia.api.patch_metadata(pod)

    tiered = client.get("/api/v1/pods", params={"labelSelector": "app=kubia,tier=front"}).json()
    others = client.get("/api/v1/pods", params={"labelSelector": "app in (kubia),!tier"}).json()

    assert [item["metadata"]["name"] for item in tiered["items"]] == [pod["metadata"]["name"]]
    assert len(others["items"]) == 2


def test_a_malformed_label_selector_is_a_400_status(example: Served) -> None:
    _, client = example

    answer = client.get("/api/v1/pods", params={"labelSelector": "app in kubia"})

    assert answer.status_code == 400
    assert answer.json()["reason"] == "BadRequest"
    assert "unable to parse requirement" in answer.json()["message"]


def test_a_field_selector_picks_the_events_of_one_object(example: Served) -> None:
    kubia, client = example

    name = pods(kubia)[0]["metadata"]["name"]

    events = client.get(
        "/api/v1/namespaces/default/events",
        params={"fieldSelector": f"involvedObject.kind=Pod,involvedObject.name={name}"},
    ).json()["items"]

    assert {"Scheduled", "Pulling", "Pulled", "Created", "Started"} <= {e["reason"] for e in events}
    assert {e["involvedObject"]["name"] for e in events} == {name}


def test_discovery_lists_the_registered_kinds(example: Served) -> None:
    _, client = example

    core = client.get("/api/v1").json()
    apps = client.get("/apis/apps/v1").json()
    groups = client.get("/apis").json()

    assert core["kind"] == "APIResourceList"
    pods_resource = next(r for r in core["resources"] if r["name"] == "pods")
    assert pods_resource == {
        "name": "pods",
        "singularName": "pod",
        "namespaced": True,
        "kind": "Pod",
        "verbs": ["get", "list", "watch"],
        "shortNames": ["po"],
        "categories": ["all"],
    }
    assert {r["kind"] for r in apps["resources"]} == {"ReplicaSet", "Deployment"}
    assert [g["name"] for g in groups["groups"]] == ["apps"]
    assert client.get("/api").json()["versions"] == ["v1"]


def test_the_page_and_its_modules_are_served_from_the_package(example: Served) -> None:
    _, client = example

    page = client.get("/")
    script = client.get("/static/js/main.js")

    assert page.status_code == 200
    assert '<script type="module" src="/static/js/main.js">' in page.text
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    # nothing is loaded from elsewhere: every src and href stays on this server
    assert "http://" not in page.text and "https://" not in page.text


def test_the_api_is_read_only(example: Served) -> None:
    _, client = example

    answer = client.delete("/api/v1/namespaces/default/pods")

    assert answer.status_code == 405
    assert answer.json()["reason"] == "MethodNotAllowed"
