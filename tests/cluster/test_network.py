"""Requests reach pods as kube-proxy would route them (random ready endpoint, ClientIP affinity,
cluster IP, external IP, node port, pod IP) and pods answer and log as their images do."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.cluster.logs import logs_of
from reconciler.cluster.network import request
from reconciler.cluster.node_failure import stop_node
from reconciler.errors import BadRequest, NotFound, UsageError
from reconciler.model.keys import Obj, ObjectKey
from tests.clusters import Sim


def kubia_pod(name: str, image: str = "luksa/kubia", **spec: Any) -> Obj:
    return {
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": "kubia"}},
        "spec": {"containers": [{"name": "kubia", "image": image}], **spec},
    }


def kubia_service(**spec: Any) -> Obj:
    return {
        "kind": "Service",
        "metadata": {"name": "kubia", "namespace": "default"},
        "spec": {"selector": {"app": "kubia"}, "ports": [{"port": 80, "targetPort": 8080}], **spec},
    }


@pytest.fixture
def sim() -> Sim:
    sim = Sim(seed=2)
    for name in ("kubia-a", "kubia-b", "kubia-c"):
        sim.api.create(kubia_pod(name))
    sim.run(10)
    return sim


def test_requests_to_a_service_spread_over_its_pods(sim: Sim) -> None:
    sim.api.create(kubia_service())
    sim.run()
    replies = request(sim.api, "svc/kubia", count=20)
    assert all(r.status == 200 for r in replies)
    assert {r.body for r in replies} <= {f"You've hit kubia-{x}\n" for x in "abc"}
    assert len({r.pod for r in replies}) > 1


def test_client_ip_affinity_sends_a_client_to_the_same_pod(sim: Sim) -> None:
    sim.api.create(kubia_service(sessionAffinity="ClientIP"))
    sim.run()
    replies = request(sim.api, "svc/kubia", count=20, client_ip="10.0.0.7")
    assert len({r.pod for r in replies}) == 1
    others = {request(sim.api, "svc/kubia", client_ip=f"10.0.0.{n}")[0].pod for n in range(20)}
    assert len(others) > 1


def test_affinity_expires_after_its_timeout(sim: Sim) -> None:
    config = {"clientIP": {"timeoutSeconds": 60}}
    sim.api.create(kubia_service(sessionAffinity="ClientIP", sessionAffinityConfig=config))
    sim.run()
    pods = set()
    for _ in range(12):
        pods.add(request(sim.api, "svc/kubia")[0].pod)
        sim.run(61)
    assert len(pods) > 1


def test_a_service_is_reached_by_cluster_ip_external_ip_and_node_port(sim: Sim) -> None:
    sim.api.create(kubia_service(type="LoadBalancer"))
    sim.run()
    svc = sim.get("Service", "kubia")
    cluster_ip = svc["spec"]["clusterIP"]
    external_ip = svc["status"]["loadBalancer"]["ingress"][0]["ip"]
    node_port = svc["spec"]["ports"][0]["nodePort"]
    for target in (cluster_ip, f"http://{external_ip}", f"172.18.0.2:{node_port}"):
        (reply,) = request(sim.api, target)
        assert reply.status == 200, target
        assert reply.body.startswith("You've hit kubia-")


def test_a_pod_ip_is_reached_directly(sim: Sim) -> None:
    ip = sim.get("Pod", "kubia-b")["status"]["podIP"]
    (reply,) = request(sim.api, f"{ip}:8080")
    assert reply.body == "You've hit kubia-b\n"
    (refused,) = request(sim.api, ip)  # port 80: nothing listens there
    assert refused.status is None
    assert refused.body == f"curl: (7) Failed to connect to {ip} port 80: Connection refused"
    assert refused.exit_code == 7


def test_a_service_without_ready_endpoints_refuses_connections(sim: Sim) -> None:
    sim.api.create(
        {
            "kind": "Service",
            "metadata": {"name": "nobody", "namespace": "default"},
            "spec": {"selector": {"app": "nobody"}, "ports": [{"port": 80}]},
        }
    )
    sim.run()
    (reply,) = request(sim.api, "svc/nobody")
    assert reply.status is None
    assert "Connection refused" in reply.body


def test_a_wrong_target_port_is_refused_by_the_pods(sim: Sim) -> None:
    sim.api.create(
        {
            "kind": "Service",
            "metadata": {"name": "wrong", "namespace": "default"},
            "spec": {"selector": {"app": "kubia"}, "ports": [{"port": 80}]},
        }
    )
    sim.run()
    assert request(sim.api, "svc/wrong")[0].exit_code == 7


def test_pods_on_a_stopped_node_time_out(sim: Sim) -> None:
    ip = sim.get("Pod", "kubia-a")["status"]["podIP"]
    stop_node(sim.api, sim.get("Pod", "kubia-a")["spec"]["nodeName"])
    (reply,) = request(sim.api, f"{ip}:8080")
    assert reply.exit_code == 28
    assert reply.body.endswith("Connection timed out")


def test_an_unknown_service_is_not_found_and_a_bad_target_is_a_usage_error(sim: Sim) -> None:
    with pytest.raises(NotFound, match='services "nope" not found'):
        request(sim.api, "svc/nope")
    with pytest.raises(UsageError):
        request(sim.api, "10.0.0.1:http")


def test_kubia_v3_fails_from_its_fifth_request(sim: Sim) -> None:
    sim.api.create(kubia_pod("v3", image="luksa/kubia:v3"))
    sim.run(10)
    ip = sim.get("Pod", "v3")["status"]["podIP"]
    replies = request(sim.api, f"{ip}:8080", count=6)
    assert [r.status for r in replies] == [200, 200, 200, 200, 500, 500]
    assert replies[0].body == "This is v3 running in pod v3\n"
    assert replies[4].body == "Some internal error has occurred! This is pod v3\n"


def test_a_pod_logs_its_start_and_every_request(sim: Sim) -> None:
    ip = sim.get("Pod", "kubia-a")["status"]["podIP"]
    request(sim.api, f"{ip}:8080", count=2, client_ip="10.244.2.9")
    key = ObjectKey("Pod", "default", "kubia-a")
    assert logs_of(sim.api, key) == [
        "Kubia server starting...",
        "Received request from ::ffff:10.244.2.9",
        "Received request from ::ffff:10.244.2.9",
    ]
    assert logs_of(sim.api, key, tail=1) == ["Received request from ::ffff:10.244.2.9"]


def test_load_balancer_traffic_is_seen_from_the_node_bridge(sim: Sim) -> None:
    sim.api.create(kubia_service(type="LoadBalancer", sessionAffinity="ClientIP"))
    sim.run()
    svc = sim.get("Service", "kubia")
    reply = request(sim.api, svc["status"]["loadBalancer"]["ingress"][0]["ip"])[0]
    pod = sim.get("Pod", str(reply.pod))
    bridge = pod["status"]["podIP"].rsplit(".", 1)[0] + ".1"
    last = logs_of(sim.api, ObjectKey.of(pod), tail=1)
    assert last == [f"Received request from ::ffff:{bridge}"]


def test_previous_logs_belong_to_the_container_before_its_restart() -> None:
    sim = Sim(seed=2)
    sim.api.create(kubia_pod("crash", image="reconciler/crasher"))
    sim.run(6)
    key = ObjectKey("Pod", "default", "crash")
    assert logs_of(sim.api, key) == ["starting", "crashing"]
    with pytest.raises(BadRequest, match='previous terminated container "kubia" in pod "crash"'):
        logs_of(sim.api, key, previous=True)
    sim.run(15)
    assert logs_of(sim.api, key, previous=True) == ["starting", "crashing"]


def test_logs_of_a_container_still_creating_are_refused() -> None:
    sim = Sim(seed=2)
    sim.api.create(kubia_pod("new"))
    sim.run()
    with pytest.raises(BadRequest) as error:
        logs_of(sim.api, ObjectKey("Pod", "default", "new"))
    assert str(error.value) == (
        'Error from server (BadRequest): container "kubia" in pod "new" is waiting to start: '
        "ContainerCreating"
    )


def test_logs_of_a_multi_container_pod_need_a_container_name(sim: Sim) -> None:
    pod = kubia_pod("two")
    pod["spec"]["containers"].append({"name": "side", "image": "nginx"})
    sim.api.create(pod)
    sim.run(10)
    key = ObjectKey("Pod", "default", "two")
    with pytest.raises(UsageError, match=r"choose one of: \[kubia side\]"):
        logs_of(sim.api, key)
    assert logs_of(sim.api, key, container="kubia") == ["Kubia server starting..."]
    with pytest.raises(BadRequest, match="container nope is not valid for pod two"):
        logs_of(sim.api, key, container="nope")
