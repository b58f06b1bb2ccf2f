"""A stopped node goes NotReady after the grace period, its pods are evicted after the toleration
time and replaced elsewhere, and it comes back Ready when started; on virtual time, with every
controller of the cluster."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.cluster.controllers.node_lifecycle import NodeLifecycle
from reconciler.cluster.node_failure import last_heartbeat, start_node, stop_node
from reconciler.cluster.nodes import is_ready
from reconciler.cluster.timing import TimingName
from reconciler.errors import NotFound
from reconciler.model.conditions import condition_of
from reconciler.model.keys import Obj, ObjectKey
from tests import clusters


class Sim(clusters.Sim):
    """The cluster with the views these tests look through: a node, the pods, events."""

    def __init__(self, *, timing: TimingName = TimingName.REALISTIC) -> None:
        super().__init__(seed=5, timing=timing)

    def node(self, name: str = "node-2") -> Obj:
        return self.api.get(ObjectKey("Node", "", name))

    def pods(self) -> list[Obj]:
        return self.api.list("Pod", "default")

    def events(self, reason: str) -> list[Obj]:
        return [e for e in self.api.list("Event") if e["reason"] == reason]


def kubia_rc(replicas: int) -> Obj:
    container: dict[str, Any] = {"name": "kubia", "image": "luksa/kubia"}
    return {
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": {"name": "kubia", "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"app": "kubia"},
            "template": {
                "metadata": {"labels": {"app": "kubia"}},
                "spec": {"containers": [container]},
            },
        },
    }


@pytest.fixture
def sim() -> Sim:
    sim = Sim()
    sim.api.create(kubia_rc(3))
    sim.run(10)
    assert sorted(p["spec"]["nodeName"] for p in sim.pods()) == ["node-1", "node-2", "node-3"]
    return sim


def on_node(sim: Sim, node: str) -> Obj:
    (pod,) = [p for p in sim.pods() if p["spec"]["nodeName"] == node]
    return pod


def test_a_stopped_node_stays_ready_until_the_grace_period_passes(sim: Sim) -> None:
    stop_node(sim.api, "node-2")
    sim.run(30)
    assert is_ready(sim.node())
    sim.run(15)
    ready = condition_of(sim.node(), "Ready")
    assert ready is not None
    assert ready["status"] == "Unknown"
    assert ready["reason"] == "NodeStatusUnknown"
    assert ready["message"] == "Kubelet stopped posting node status."
    taints = sim.node()["spec"]["taints"]
    assert {(t["key"], t["effect"]) for t in taints} == {
        ("node.kubernetes.io/unreachable", "NoSchedule"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
    }
    (event,) = [e for e in sim.events("NodeNotReady") if e["involvedObject"]["kind"] == "Node"]
    assert event["message"] == "Node node-2 status is now: NodeNotReady"
    assert event["source"]["component"] == "node-controller"


def test_the_grace_period_counts_from_the_last_heartbeat(sim: Sim) -> None:
    sim.run(7)  # heartbeats every 10 s: the last one before the stop was up to 10 s ago
    beat = last_heartbeat(sim.api, sim.node())
    assert sim.clock.now() - 10 < beat <= sim.clock.now()
    stop_node(sim.api, "node-2")
    sim.run(beat + 40 - sim.clock.now() - 0.5)
    assert is_ready(sim.node())
    sim.run(1)
    assert not is_ready(sim.node())


def test_pods_on_a_not_ready_node_turn_not_ready_and_leave_the_endpoints(sim: Sim) -> None:
    pod = on_node(sim, "node-2")
    stop_node(sim.api, "node-2")
    sim.run(45)
    pod = sim.api.get(ObjectKey.of(pod))
    ready = [c for c in pod["status"]["conditions"] if c["type"] == "Ready"]
    assert ready[0]["status"] == "False"
    warnings = [e for e in sim.events("NodeNotReady") if e["involvedObject"]["kind"] == "Pod"]
    assert [e["message"] for e in warnings] == ["Node is not ready"]


def test_pods_of_a_silent_node_are_evicted_after_the_toleration_and_replaced(sim: Sim) -> None:
    lost = on_node(sim, "node-2")
    stop_node(sim.api, "node-2")
    sim.run(45 + 290)
    assert not sim.api.get(ObjectKey.of(lost))["metadata"].get("deletionTimestamp")
    sim.run(20)
    lost = sim.api.get(ObjectKey.of(lost))
    assert lost["metadata"]["deletionTimestamp"]  # Terminating: no kubelet to finish it
    (eviction,) = sim.events("TaintManagerEviction")
    assert eviction["message"] == f"Marking for deletion Pod default/{lost['metadata']['name']}"
    sim.run(10)
    running = [
        p
        for p in sim.pods()
        if not p["metadata"].get("deletionTimestamp") and p["status"]["phase"] == "Running"
    ]
    assert len(running) == 3
    assert all(p["spec"]["nodeName"] != "node-2" for p in running)


def test_a_started_node_turns_ready_and_finishes_its_terminating_pods(sim: Sim) -> None:
    lost = on_node(sim, "node-2")
    stop_node(sim.api, "node-2")
    sim.run(400)
    start_node(sim.api, "node-2")
    sim.run()
    node = sim.node()
    assert is_ready(node)
    assert not node["spec"].get("taints")
    assert "reconciler.dev/kubelet" not in node["metadata"].get("annotations", {})
    with pytest.raises(NotFound):  # its kubelet finished the evicted pod
        sim.run(31)
        sim.api.get(ObjectKey.of(lost))
    messages = [e["message"] for e in sim.events("NodeReady")]
    assert "Node node-2 status is now: NodeReady" in messages
    assert [e["message"] for e in sim.events("Starting")] == ["Starting kubelet."]


def test_a_node_stopped_briefly_keeps_its_pods(sim: Sim) -> None:
    pod = on_node(sim, "node-2")
    stop_node(sim.api, "node-2")
    sim.run(20)
    start_node(sim.api, "node-2")
    sim.run(400)
    assert sim.api.get(ObjectKey.of(pod))["status"]["phase"] == "Running"
    assert not sim.events("NodeNotReady")


def test_a_pod_tolerating_the_taint_for_longer_stays_longer() -> None:
    sim = Sim()
    sim.api.create(
        {
            "kind": "Pod",
            "metadata": {"name": "patient", "namespace": "default"},
            "spec": {
                "nodeName": "node-1",
                "containers": [{"name": "app", "image": "nginx"}],
                "tolerations": [
                    {
                        "key": "node.kubernetes.io/unreachable",
                        "operator": "Exists",
                        "effect": "NoExecute",
                        "tolerationSeconds": 1000,
                    }
                ],
            },
        }
    )
    sim.run(10)
    stop_node(sim.api, "node-1")
    sim.run(900)
    key = ObjectKey("Pod", "default", "patient")
    assert not sim.api.get(key)["metadata"].get("deletionTimestamp")
    sim.run(200)
    assert sim.api.get(key)["metadata"]["deletionTimestamp"]


def test_the_fast_profile_shortens_grace_and_toleration() -> None:
    sim = Sim(timing=TimingName.FAST)
    sim.api.create(kubia_rc(3))
    sim.run(5)
    stop_node(sim.api, "node-1")
    sim.run(5)
    assert not is_ready(sim.node("node-1"))
    sim.run(31)
    assert any(p["metadata"].get("deletionTimestamp") for p in sim.pods())


def test_reconciling_a_silent_node_twice_changes_nothing(sim: Sim) -> None:
    stop_node(sim.api, "node-2")
    sim.run(400)
    controller = NodeLifecycle(sim.api)
    controller.reconcile(ObjectKey("Node", "", "node-2"))
    revision = sim.store.revision()
    controller.reconcile(ObjectKey("Node", "", "node-2"))
    assert sim.store.revision() == revision


def test_stopping_an_unknown_node_is_not_found(sim: Sim) -> None:
    with pytest.raises(NotFound, match='nodes "node-9" not found'):
        stop_node(sim.api, "node-9")
