"""Services: Endpoints list the ready pods behind a selector with target ports resolved, and
LoadBalancer services get an external IP; on virtual time with every controller."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.cluster.controllers.endpoints import EndpointsController
from reconciler.model.keys import Obj, ObjectKey
from tests.clusters import Sim


def kubia_pod(name: str, *, labels: dict[str, str] | None = None, **container: Any) -> Obj:
    return {
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": labels or {"app": "kubia"}},
        "spec": {"containers": [{"name": "kubia", "image": "luksa/kubia", **container}]},
    }


def service(name: str = "kubia", **spec: Any) -> Obj:
    return {
        "kind": "Service",
        "metadata": {"name": name, "namespace": "default", "labels": {"tier": "web"}},
        "spec": {"selector": {"app": "kubia"}, "ports": [{"port": 80, "targetPort": 8080}], **spec},
    }


@pytest.fixture
def sim() -> Sim:
    return Sim(seed=11)


def addresses(endpoints: Obj, field: str = "addresses") -> list[str]:
    return [
        a["targetRef"]["name"] for s in endpoints.get("subsets") or () for a in s.get(field) or ()
    ]


def test_endpoints_list_the_ready_pods_matching_the_selector(sim: Sim) -> None:
    sim.api.create(service())
    for name in ("a", "b"):
        sim.api.create(kubia_pod(name))
    sim.api.create(kubia_pod("other", labels={"app": "other"}))
    sim.run(10)
    endpoints = sim.get("Endpoints", "kubia")
    assert endpoints["metadata"]["labels"] == {"tier": "web"}
    (subset,) = endpoints["subsets"]
    assert sorted(addresses(endpoints)) == ["a", "b"]
    assert subset["ports"] == [{"port": 8080, "protocol": "TCP"}]
    address = subset["addresses"][0]
    pod = sim.get("Pod", address["targetRef"]["name"])
    assert address["ip"] == pod["status"]["podIP"]
    assert address["nodeName"] == pod["spec"]["nodeName"]
    assert address["targetRef"]["uid"] == pod["metadata"]["uid"]


def test_pods_not_yet_ready_are_listed_as_not_ready_addresses(sim: Sim) -> None:
    sim.api.create(service())
    probe = {"httpGet": {"port": 8080}, "initialDelaySeconds": 30}
    sim.api.create(kubia_pod("slow", readinessProbe=probe))
    sim.run(10)
    endpoints = sim.get("Endpoints", "kubia")
    assert addresses(endpoints) == []
    assert addresses(endpoints, "notReadyAddresses") == ["slow"]
    sim.run(30)
    assert addresses(sim.get("Endpoints", "kubia")) == ["slow"]


def test_a_service_without_pods_has_endpoints_without_subsets(sim: Sim) -> None:
    sim.api.create(service())
    sim.run()
    assert "subsets" not in sim.get("Endpoints", "kubia")


def test_named_target_ports_are_resolved_in_each_pods_container_ports(sim: Sim) -> None:
    ports = [
        {"name": "http", "port": 80, "targetPort": "http"},
        {"name": "https", "port": 443, "targetPort": "https"},
    ]
    sim.api.create(service(ports=ports))
    both = [{"name": "http", "containerPort": 8080}, {"name": "https", "containerPort": 8443}]
    sim.api.create(kubia_pod("both", ports=both))
    sim.api.create(kubia_pod("plain", ports=[{"name": "http", "containerPort": 9090}]))
    sim.run(10)
    subsets = sim.get("Endpoints", "kubia")["subsets"]
    by_pod = {s["addresses"][0]["targetRef"]["name"]: s["ports"] for s in subsets}
    assert by_pod == {
        "both": [
            {"name": "http", "port": 8080, "protocol": "TCP"},
            {"name": "https", "port": 8443, "protocol": "TCP"},
        ],
        "plain": [{"name": "http", "port": 9090, "protocol": "TCP"}],
    }


def test_terminating_pods_leave_the_endpoints(sim: Sim) -> None:
    sim.api.create(service())
    sim.api.create(kubia_pod("a"))
    sim.run(10)
    sim.api.delete(ObjectKey("Pod", "default", "a"))
    sim.run()
    assert "subsets" not in sim.get("Endpoints", "kubia")


def test_a_relabelled_pod_leaves_the_endpoints(sim: Sim) -> None:
    sim.api.create(service())
    sim.api.create(kubia_pod("a"))
    sim.run(10)
    pod = sim.get("Pod", "a")
    pod["metadata"]["labels"] = {"app": "debug"}
    sim.api.patch_metadata(pod)
    sim.run()
    assert "subsets" not in sim.get("Endpoints", "kubia")


def test_deleting_a_service_deletes_its_endpoints(sim: Sim) -> None:
    sim.api.create(service())
    sim.run()
    sim.api.delete(ObjectKey("Service", "default", "kubia"))
    sim.run()
    assert sim.api.find(ObjectKey("Endpoints", "default", "kubia")) is None


def test_reconciling_endpoints_twice_changes_nothing(sim: Sim) -> None:
    sim.api.create(service())
    sim.api.create(kubia_pod("a"))
    sim.run(10)
    controller = EndpointsController(sim.api)
    controller.reconcile(ObjectKey("Service", "default", "kubia"))
    revision = sim.store.revision()
    controller.reconcile(ObjectKey("Service", "default", "kubia"))
    assert sim.store.revision() == revision


def test_a_load_balancer_service_gets_an_external_ip(sim: Sim) -> None:
    sim.api.create(service(type="LoadBalancer"))
    sim.run()
    svc = sim.get("Service", "kubia")
    (ingress,) = svc["status"]["loadBalancer"]["ingress"]
    assert ingress["ip"].startswith("172.18.255.")
    reasons = [
        (e["reason"], e["message"], e["source"]["component"])
        for e in sim.api.list("Event", "default")
        if e["involvedObject"]["kind"] == "Service"
    ]
    assert ("EnsuringLoadBalancer", "Ensuring load balancer", "service-controller") in reasons
    assert ("EnsuredLoadBalancer", "Ensured load balancer", "service-controller") in reasons


def test_load_balancer_ips_are_distinct_and_released(sim: Sim) -> None:
    sim.api.create(service("one", type="LoadBalancer"))
    sim.api.create(service("two", type="LoadBalancer"))
    sim.run()
    one = sim.get("Service", "one")["status"]["loadBalancer"]["ingress"][0]["ip"]
    two = sim.get("Service", "two")["status"]["loadBalancer"]["ingress"][0]["ip"]
    assert one != two
    sim.api.delete(ObjectKey("Service", "default", "one"))
    sim.run()
    assert not sim.store.get_meta(f"alloc/loadBalancerIP/{one}")


def test_a_service_that_stops_being_a_load_balancer_gives_its_ip_back(sim: Sim) -> None:
    sim.api.create(service(type="LoadBalancer"))
    sim.run()
    svc = sim.get("Service", "kubia")
    ip = svc["status"]["loadBalancer"]["ingress"][0]["ip"]
    svc["spec"]["type"] = "ClusterIP"
    sim.api.update(svc)
    sim.run()
    assert sim.get("Service", "kubia")["status"]["loadBalancer"] == {}
    assert not sim.store.get_meta(f"alloc/loadBalancerIP/{ip}")
