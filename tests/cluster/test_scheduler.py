"""The scheduler binds waiting pods to nodes that can run them, spreading replicas, and says
why a pod fits nowhere in kube-scheduler's words. Run on virtual time with the scheduler and the
replication controllers only (no kubelet), on a bootstrapped 3-node cluster."""

from __future__ import annotations

import random
from typing import Any

from reconciler.api.server import Api
from reconciler.clock import VirtualClock
from reconciler.cluster.bootstrap import bootstrap
from reconciler.cluster.controllers.replication import replication_controllers
from reconciler.cluster.reconcile import Controller
from reconciler.cluster.scheduler import QUEUE, Scheduler, nodes_to_score
from reconciler.cluster.timing import ClusterSettings, save_settings
from reconciler.model.conditions import condition_of
from reconciler.model.keys import Obj, ObjectKey
from reconciler.runtime.manager import Manager
from reconciler.store.memory import MemoryStore


class Sim:
    """A small cluster: store, api on a virtual clock, chosen controllers, bootstrapped nodes."""

    def __init__(self, *, nodes: int = 3, with_replication: bool = False) -> None:
        self.store = MemoryStore()
        self.clock = VirtualClock()
        self.api = Api(self.store, self.clock, rng=random.Random(7))
        self.scheduler = Scheduler(self.api)
        controllers: list[Controller] = [self.scheduler]
        if with_replication:
            controllers += replication_controllers(self.api)
        with self.store.transaction():
            save_settings(self.store, ClusterSettings(nodes=nodes))
            bootstrap(self.api)
        self.manager = Manager(self.store, self.clock, controllers)
        self.run()

    def run(self, seconds: float = 0.0) -> None:
        self.manager.advance(self.clock.now() + seconds)

    def pod(self, name: str) -> Obj:
        return self.api.get(ObjectKey("Pod", "default", name))

    def node_of(self, name: str) -> str | None:
        return self.pod(name)["spec"].get("nodeName")  # type: ignore[no-any-return]

    def events(self, reason: str) -> list[str]:
        return [e["message"] for e in self.api.list("Event", "default") if e["reason"] == reason]

    def edit_node(self, name: str, change: Any) -> None:
        node = self.api.get(ObjectKey("Node", "", name))
        change(node)
        updated = self.api.update(node)
        self.api.update_status({**updated, "status": node["status"]})


def pod(name: str, *, cpu: str | None = None, **spec: Any) -> Obj:
    container: dict[str, Any] = {"name": "app", "image": "luksa/kubia"}
    if cpu:
        container["resources"] = {"requests": {"cpu": cpu}}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [container], **spec},
    }


def rc(name: str, replicas: int, *, cpu: str | None = None) -> Obj:
    template = pod("unused", cpu=cpu)
    return {
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"app": name},
            "template": {"metadata": {"labels": {"app": name}}, "spec": template["spec"]},
        },
    }


def nodes_of(sim: Sim, app: str) -> list[str]:
    return sorted(
        p["spec"].get("nodeName", "")
        for p in sim.api.list("Pod", "default")
        if p["metadata"].get("labels", {}).get("app") == app
    )


def test_replicas_of_one_controller_land_on_different_nodes() -> None:
    sim = Sim(with_replication=True)
    sim.api.create(rc("kubia", 3))
    sim.run()
    assert nodes_of(sim, "kubia") == ["node-1", "node-2", "node-3"]


def test_more_replicas_than_nodes_spread_evenly() -> None:
    sim = Sim(with_replication=True)
    sim.api.create(rc("kubia", 7))
    sim.run()
    placed = nodes_of(sim, "kubia")
    assert sorted(placed.count(n) for n in ("node-1", "node-2", "node-3")) == [2, 2, 3]


def test_binding_sets_node_condition_and_scheduled_event() -> None:
    sim = Sim()
    sim.api.create(pod("web"))
    sim.run()
    node = sim.node_of("web")
    assert node in ("node-1", "node-2", "node-3")
    condition = condition_of(sim.pod("web"), "PodScheduled")
    assert condition is not None and condition["status"] == "True"
    assert sim.events("Scheduled") == [f"Successfully assigned default/web to {node}"]
    scheduled = next(e for e in sim.api.list("Event", "default") if e["reason"] == "Scheduled")
    assert scheduled["source"] == {"component": "default-scheduler"}
    assert scheduled["type"] == "Normal"


def test_cpu_requests_are_checked_against_what_is_left_on_each_node() -> None:
    sim = Sim()
    for index in range(3):
        sim.api.create(pod(f"big-{index}", cpu="1500m"))
    sim.run()
    assert {sim.node_of(f"big-{i}") for i in range(3)} == {"node-1", "node-2", "node-3"}
    sim.api.create(pod("small", cpu="500m"))
    sim.api.create(pod("too-big", cpu="1"))
    sim.run()
    assert sim.node_of("small") is not None
    assert sim.node_of("too-big") is None
    message = (
        "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
        "3 No preemption victims found for incoming pod."
    )
    condition = condition_of(sim.pod("too-big"), "PodScheduled")
    assert condition is not None
    assert (condition["status"], condition["reason"]) == ("False", "Unschedulable")
    assert condition["message"] == message
    assert sim.events("FailedScheduling") == [message]
    assert sim.pod("too-big")["status"]["phase"] == "Pending"


def test_memory_requests_in_binary_units_count() -> None:
    sim = Sim(nodes=1)
    hog = pod("hog")
    hog["spec"]["containers"][0]["resources"] = {"requests": {"memory": "3Gi"}}
    more = pod("more")
    more["spec"]["containers"][0]["resources"] = {"limits": {"memory": "1Gi"}}
    sim.api.create(hog)
    sim.api.create(more)
    sim.run()
    assert sim.node_of("hog") == "node-1"
    assert sim.node_of("more") is None
    assert sim.events("FailedScheduling") == [
        "0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: "
        "1 No preemption victims found for incoming pod."
    ]


def test_node_selector_picks_matching_nodes_only() -> None:
    sim = Sim()
    sim.edit_node("node-2", lambda n: n["metadata"]["labels"].update({"disk": "ssd"}))
    for index in range(3):
        sim.api.create(pod(f"fast-{index}", nodeSelector={"disk": "ssd"}))
    sim.api.create(pod("gpu", nodeSelector={"gpu": "true"}))
    sim.run()
    assert {sim.node_of(f"fast-{i}") for i in range(3)} == {"node-2"}
    assert sim.node_of("gpu") is None
    assert sim.events("FailedScheduling") == [
        "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    ]


def test_reasons_are_counted_per_node_and_sorted_as_kube_scheduler_does() -> None:
    sim = Sim()
    sim.api.create(pod("filler-2", cpu="1500m", nodeName="node-2"))
    sim.api.create(pod("filler-3", cpu="1500m", nodeName="node-3"))
    not_node_1 = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {
                                "key": "kubernetes.io/hostname",
                                "operator": "NotIn",
                                "values": ["node-1"],
                            }
                        ]
                    }
                ]
            }
        }
    }
    sim.api.create(pod("picky", cpu="1", affinity=not_node_1))
    sim.run()
    assert sim.events("FailedScheduling") == [
        "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, "
        "2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful "
        "for scheduling, 2 No preemption victims found for incoming pod."
    ]


def test_not_ready_and_cordoned_nodes_get_no_pods() -> None:
    sim = Sim()

    def not_ready(node: Obj) -> None:
        for condition in node["status"]["conditions"]:
            if condition["type"] == "Ready":
                condition.update(status="False", reason="KubeletNotReady")

    sim.edit_node("node-1", not_ready)
    sim.edit_node("node-2", lambda n: n["spec"].update(unschedulable=True))
    for index in range(4):
        sim.api.create(pod(f"p-{index}"))
    sim.run()
    assert {sim.node_of(f"p-{i}") for i in range(4)} == {"node-3"}
    sim.edit_node("node-3", lambda n: n["spec"].update(unschedulable=True))
    sim.api.create(pod("late"))
    sim.run()
    assert sim.events("FailedScheduling") == [
        "0/3 nodes are available: 1 node(s) had untolerated taint "
        "{node.kubernetes.io/not-ready: }, 2 node(s) were unschedulable. preemption: 0/3 nodes "
        "are available: 3 Preemption is not helpful for scheduling."
    ]


def test_taints_are_respected_unless_tolerated() -> None:
    sim = Sim(nodes=1)
    taint = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}
    sim.edit_node("node-1", lambda n: n["spec"].update(taints=[taint]))
    sim.api.create(pod("plain"))
    sim.api.create(
        pod(
            "tolerant",
            tolerations=[{"key": "dedicated", "operator": "Equal", "value": "db"}],
        )
    )
    sim.run()
    assert sim.node_of("plain") is None
    assert sim.node_of("tolerant") == "node-1"
    assert sim.events("FailedScheduling") == [
        "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: db}. "
        "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
    ]


def test_a_node_takes_at_most_its_allocatable_pods() -> None:
    sim = Sim(nodes=1)
    sim.edit_node("node-1", lambda n: n["status"]["allocatable"].update(pods="2"))
    for index in range(3):
        sim.api.create(pod(f"p-{index}"))
    sim.run()
    assert [sim.node_of(f"p-{i}") for i in range(3)] == ["node-1", "node-1", None]
    assert sim.events("FailedScheduling")[0].startswith("0/1 nodes are available: 1 Too many pods.")


def test_waiting_pod_is_scheduled_once_room_is_freed() -> None:
    sim = Sim(nodes=1)
    sim.api.create(pod("first", cpu="1500m"))
    sim.run()
    sim.api.create(pod("second", cpu="1500m"))
    sim.run(5)
    assert sim.node_of("second") is None
    sim.api.delete(ObjectKey("Pod", "default", "first"), grace_period=0)
    sim.run()
    assert sim.node_of("second") == "node-1"
    assert sim.events("Scheduled")[-1] == "Successfully assigned default/second to node-1"


def test_waiting_pod_is_scheduled_when_a_node_becomes_ready() -> None:
    sim = Sim(nodes=1)
    sim.edit_node("node-1", lambda n: n["spec"].update(unschedulable=True))
    sim.api.create(pod("web"))
    sim.run()
    assert sim.node_of("web") is None
    sim.edit_node("node-1", lambda n: n["spec"].pop("unschedulable"))
    sim.run()
    assert sim.node_of("web") == "node-1"


def test_same_failure_is_not_written_again_and_retry_is_asked_for() -> None:
    sim = Sim(nodes=1)
    sim.api.create(pod("huge", cpu="64"))
    sim.run()
    revision = sim.store.revision()
    result = sim.scheduler.reconcile(QUEUE)
    assert sim.store.revision() == revision
    assert result.requeue_after is not None and 0 < result.requeue_after <= 300
    sim.run(600)
    assert sim.store.revision() == revision
    assert len(sim.events("FailedScheduling")) == 1


def test_reconciling_a_settled_cluster_changes_nothing() -> None:
    sim = Sim(with_replication=True)
    sim.api.create(rc("kubia", 5))
    sim.run()
    revision = sim.store.revision()
    assert sim.scheduler.reconcile(QUEUE).requeue_after is None
    assert sim.store.revision() == revision


def test_pods_for_another_scheduler_and_pods_with_a_node_are_left_alone() -> None:
    sim = Sim()
    sim.api.create(pod("custom", schedulerName="my-scheduler"))
    sim.api.create(pod("pinned", nodeName="node-3"))
    sim.run()
    assert sim.node_of("custom") is None
    assert sim.node_of("pinned") == "node-3"
    assert sim.events("Scheduled") == []


def test_a_scheduler_started_later_sees_pods_already_placed() -> None:
    sim = Sim(nodes=2)
    sim.api.create(pod("a", cpu="1500m"))
    sim.run()
    first = sim.node_of("a")
    fresh = Sim.__new__(Sim)
    fresh.__dict__.update(sim.__dict__)
    fresh.scheduler = Scheduler(sim.api)
    fresh.manager = Manager(sim.store, sim.clock, [fresh.scheduler])
    fresh.api.create(pod("b", cpu="1500m"))
    fresh.run()
    assert {first, fresh.node_of("b")} == {"node-1", "node-2"}


def test_big_clusters_score_a_share_of_nodes_as_kube_scheduler_does() -> None:
    assert nodes_to_score(3) == 3
    assert nodes_to_score(150) == 100
    assert nodes_to_score(1000) == 420
    assert nodes_to_score(5000) == 500


def test_in_a_big_cluster_a_pod_still_finds_the_one_node_with_room() -> None:
    sim = Sim(nodes=150)
    for index in range(1, 150):
        sim.edit_node(f"node-{index}", lambda n: n["status"]["allocatable"].update(cpu="100m"))
    sim.api.create(pod("needy", cpu="1"))
    sim.run()
    assert sim.node_of("needy") == "node-150"
