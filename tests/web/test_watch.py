"""Watching through HTTP: the Kubernetes watch API (newline-delimited events from a
resourceVersion, 410 Expired for a compacted one, selectors) and the page's server-sent stream
(everything first, then changes; a reconnect resumes after the last revision seen). A real
uvicorn server; every read has a deadline (the client's read timeout), nothing sleeps."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.model.keys import ObjectKey
from reconciler.runtime.session import Cluster
from reconciler.store.memory import MemoryStore
from reconciler.web.serve import DashboardServer, ServeOptions
from tests.clusters import apply_folder, open_instant
from tests.web.conftest import pods

Event = dict[str, Any]


def watch_until(
    client: httpx.Client, path: str, done: Callable[[list[Event]], bool], **params: str
) -> list[Event]:
    """Read watch events until `done` says enough (the read timeout is the deadline)."""
    seen: list[Event] = []
    with client.stream("GET", path, params={"watch": "1", **params}) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/json")
        for line in answer.iter_lines():
            if line:
                seen.append(json.loads(line))
                if done(seen):
                    return seen
    return seen


def names(events: list[Event], kind: str) -> list[str]:
    return [e["object"]["metadata"]["name"] for e in events if e["type"] == kind]


def test_a_watch_from_a_resource_version_streams_the_changes_after_it(
    client: httpx.Client, kubia: Cluster
) -> None:
    revision = client.get("/api/v1/namespaces/default/pods").json()["metadata"]["resourceVersion"]
    victim = pods(kubia)[0]["metadata"]["name"]
    kubia.api.delete(ObjectKey("Pod", "default", victim))
    kubia.advance()

    events = watch_until(
        client,
        "/api/v1/namespaces/default/pods",
        lambda seen: bool(names(seen, "DELETED")) and bool(names(seen, "ADDED")),
        resourceVersion=revision,
    )

    assert names(events, "DELETED") == [victim]
    assert victim not in names(events, "ADDED")
    terminating = next(e for e in events if e["type"] == "MODIFIED")["object"]
    assert terminating["metadata"]["name"] == victim
    assert terminating["metadata"]["deletionTimestamp"]
    revisions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert revisions == sorted(revisions) and revisions[0] > int(revision)


def test_a_watch_follows_changes_made_while_it_is_open(
    client: httpx.Client, kubia: Cluster
) -> None:
    revision = str(kubia.store.revision())
    with client.stream(
        "GET",
        "/api/v1/namespaces/default/replicationcontrollers",
        params={"watch": "true", "resourceVersion": revision},
    ) as answer:
        rc = kubia.api.get(ObjectKey("ReplicationController", "default", "kubia"))
        rc["spec"]["replicas"] = 1
        kubia.api.update(rc)
        first = json.loads(next(answer.iter_lines()))

    assert first["type"] == "MODIFIED"
    assert first["object"]["spec"]["replicas"] == 1


def test_a_watch_on_one_objects_path_follows_that_object_only(
    client: httpx.Client, kubia: Cluster
) -> None:
    watched, other = sorted(p["metadata"]["name"] for p in pods(kubia))[:2]
    revision = str(kubia.store.revision())
    for name in (other, watched):
        kubia.api.delete(ObjectKey("Pod", "default", name), grace_period=0)

    events = watch_until(
        client,
        f"/api/v1/namespaces/default/pods/{watched}",
        lambda seen: bool(names(seen, "DELETED")),
        resourceVersion=revision,
    )

    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("DELETED", watched)]


def test_a_watch_without_a_resource_version_begins_with_every_object(
    client: httpx.Client, kubia: Cluster
) -> None:
    events = watch_until(client, "/api/v1/nodes", lambda seen: len(seen) == 3)

    assert [e["type"] for e in events] == ["ADDED"] * 3
    assert names(events, "ADDED") == ["node-1", "node-2", "node-3"]


def test_send_initial_events_ends_them_with_a_bookmark(
    client: httpx.Client, kubia: Cluster
) -> None:
    events = watch_until(
        client,
        "/api/v1/namespaces/default/pods",
        lambda seen: seen[-1]["type"] == "BOOKMARK",
        sendInitialEvents="true",
    )

    assert [e["type"] for e in events] == ["ADDED"] * 3 + ["BOOKMARK"]
    mark = events[-1]["object"]["metadata"]
    assert mark["annotations"] == {"k8s.io/initial-events-end": "true"}


def test_a_watch_with_a_timeout_ends_by_itself(client: httpx.Client, kubia: Cluster) -> None:
    revision = str(kubia.store.revision())

    events = watch_until(
        client, "/api/v1/pods", lambda seen: False, resourceVersion=revision, timeoutSeconds="1"
    )

    assert events == []


def test_a_pod_relabelled_out_of_a_selector_leaves_the_watch_as_deleted(
    client: httpx.Client, kubia: Cluster
) -> None:
    revision = str(kubia.store.revision())
    leaving = pods(kubia)[0]
    leaving["metadata"]["labels"] = {"app": "debug"}
    kubia.api.patch_metadata(leaving)
    kubia.advance()  # the RC notices one pod fewer and makes another

    events = watch_until(
        client,
        "/api/v1/namespaces/default/pods",
        lambda seen: bool(names(seen, "DELETED")) and bool(names(seen, "ADDED")),
        resourceVersion=revision,
        labelSelector="app=kubia",
    )

    assert names(events, "DELETED") == [leaving["metadata"]["name"]]
    assert events[0]["object"]["metadata"]["labels"] == {"app": "debug"}
    assert all(e["object"]["metadata"]["labels"]["app"] == "kubia" for e in events[1:])


@pytest.fixture
def forgetful(folder: Path) -> Iterator[Cluster]:
    """The example applied to a cluster whose store keeps only the last 10 changes to watch."""
    with open_instant(MemoryStore(history=10)) as cluster:
        apply_folder(cluster, folder)
        yield cluster


def test_a_watch_from_a_compacted_revision_gets_410_expired(forgetful: Cluster) -> None:
    server = DashboardServer(forgetful, ServeOptions(port=0, advance=False))
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            events = watch_until(client, "/api/v1/pods", lambda seen: True, resourceVersion="1")
    finally:
        server.stop()

    assert len(events) == 1
    assert events[0]["type"] == "ERROR"
    status = events[0]["object"]
    assert status["kind"] == "Status"
    assert status["code"] == 410
    assert status["reason"] == "Expired"
    assert status["message"].startswith("too old resource version: 1 (")


def test_a_malformed_resource_version_is_a_400_status(client: httpx.Client) -> None:
    answer = client.get("/api/v1/pods", params={"watch": "1", "resourceVersion": "abc"})

    assert answer.status_code == 400
    assert answer.json()["reason"] == "BadRequest"


# -- the page's stream -----------------------------------------------------------------------


def messages(
    client: httpx.Client, done: Callable[[list[Event]], bool], **headers: str
) -> list[Event]:
    """Read server-sent events ({event, id, data}) until `done` says enough."""
    seen: list[Event] = []
    current: Event = {}
    with client.stream("GET", "/reconciler/v1/stream", headers=headers) as answer:
        assert answer.headers["content-type"].startswith("text/event-stream")
        for line in answer.iter_lines():
            if not line:
                if "data" in current:
                    current["data"] = json.loads(current["data"])
                    seen.append(current)
                    if done(seen):
                        return seen
                current = {}
            elif not line.startswith(":"):
                field, _, value = line.partition(": ")
                current[field] = value
    return seen


def kinds_of(message: Event) -> set[str]:
    return {e["object"]["kind"] for e in message["data"]["events"]}


def test_the_page_stream_begins_with_everything_and_summaries(
    client: httpx.Client, kubia: Cluster
) -> None:
    first = messages(client, lambda seen: True)[0]

    assert first["event"] == "reset"
    assert first["id"] == str(first["data"]["revision"])
    assert {"Node", "Pod", "ReplicationController", "Service", "Endpoints", "Event"} <= kinds_of(
        first
    )
    pod = next(e for e in first["data"]["events"] if e["object"]["kind"] == "Pod")
    assert pod["summary"]["status"] == "Running"
    assert (pod["summary"]["ready"], pod["summary"]["containers"]) == (1, 1)
    node = next(e for e in first["data"]["events"] if e["object"]["kind"] == "Node")
    assert node["summary"] == {
        "status": "Ready",
        "ready": True,
        "kubelet": "running",
        "cpu": 2000,
        "memory": node["summary"]["memory"],
        "pods": 110,
    }


def test_the_page_stream_sends_changes_after_its_reset(
    client: httpx.Client, kubia: Cluster
) -> None:
    victim = pods(kubia)[0]["metadata"]["name"]

    deleted: list[str] = []

    def deleted_seen(seen: list[Event]) -> bool:
        if not deleted:  # the page has its picture: now change the cluster
            kubia.api.delete(ObjectKey("Pod", "default", victim), grace_period=0)
            kubia.advance()
            deleted.append(victim)
            return False
        return any(
            e["type"] == "DELETED" and e["object"]["metadata"]["name"] == victim
            for message in seen
            if message["event"] == "changes"
            for e in message["data"]["events"]
        )

    seen = messages(client, deleted_seen)

    assert seen[0]["event"] == "reset"
    assert all(int(m["id"]) > int(seen[0]["id"]) for m in seen[1:] if m["event"] == "changes")


def test_a_reconnecting_page_resumes_after_the_last_revision_it_saw(
    client: httpx.Client, kubia: Cluster
) -> None:
    seen_up_to = kubia.store.revision()
    node = kubia.api.get(ObjectKey("Node", "", "node-2"))
    node["spec"]["unschedulable"] = True
    kubia.api.update(node)

    first = messages(
        client, lambda seen: seen[-1]["event"] == "changes", **{"Last-Event-ID": str(seen_up_to)}
    )[-1]

    assert [m for m in [first] if m["event"] == "reset"] == []
    changed = first["data"]["events"]
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in changed] == [
        ("MODIFIED", "node-2")
    ]
    assert changed[0]["summary"]["status"] == "Ready,SchedulingDisabled"


def test_a_page_resuming_from_a_compacted_revision_gets_everything_again(
    forgetful: Cluster,
) -> None:
    server = DashboardServer(forgetful, ServeOptions(port=0, advance=False))
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            first = messages(client, lambda seen: True, **{"Last-Event-ID": "1"})[0]
    finally:
        server.stop()

    assert first["event"] == "reset"
    assert "Node" in kinds_of(first)
