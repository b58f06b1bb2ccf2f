"""ReplicationControllers and ReplicaSets keep exactly `replicas` matching pods: they create and
delete in Kubernetes' order, adopt orphans, release relabelled pods and report status. Run on
virtual time with the replication controllers only: pod states a kubelet would write are set by
hand."""

from __future__ import annotations

import copy
import random
from typing import Any

from reconciler.api.server import Api
from reconciler.clock import VirtualClock, rfc3339
from reconciler.cluster.bootstrap import bootstrap
from reconciler.cluster.controllers.replication import (
    BURST_REPLICAS,
    ReplicationManager,
    pod_from_template,
    replication_controllers,
)
from reconciler.errors import Invalid
from reconciler.model.keys import Obj, ObjectKey
from reconciler.runtime.manager import Manager
from reconciler.runtime.session import open_cluster
from reconciler.store.memory import MemoryStore

RC = ObjectKey("ReplicationController", "default", "kubia")
RS = ObjectKey("ReplicaSet", "default", "kubia")


class Sim:
    """Store, api on a virtual clock, the two replication controllers, a bootstrapped cluster."""

    def __init__(self, *, validator: Any = None) -> None:
        self.store = MemoryStore()
        self.clock = VirtualClock()
        extra = {"validator": validator} if validator else {}
        self.api = Api(self.store, self.clock, rng=random.Random(3), **extra)
        self.rc, self.rs = replication_controllers(self.api)
        with self.store.transaction():
            bootstrap(self.api)
        self.manager = Manager(self.store, self.clock, [self.rc, self.rs])

    def run(self, seconds: float = 0.0) -> None:
        self.manager.advance(self.clock.now() + seconds)

    def pods(self, *, active_only: bool = True) -> list[Obj]:
        pods = self.api.list("Pod", "default")
        if active_only:
            pods = [p for p in pods if not p["metadata"].get("deletionTimestamp")]
        return pods

    def names(self) -> set[str]:
        return {p["metadata"]["name"] for p in self.pods()}

    def scale(self, key: ObjectKey, replicas: int) -> None:
        owner = self.api.get(key)
        owner["spec"]["replicas"] = replicas
        self.api.update(owner)
        self.run()

    def set_state(
        self, name: str, *, node: str | None = None, phase: str = "Running", ready: bool = False
    ) -> None:
        """What the scheduler and the kubelet would have written."""
        pod = self.api.get(ObjectKey("Pod", "default", name))
        if node:
            pod["spec"]["nodeName"] = node
            pod = self.api.update(pod)
        now = rfc3339(self.clock.now())
        pod["status"] = {
            "phase": phase,
            "conditions": [
                {"type": "Ready", "status": str(ready), "lastTransitionTime": now},
            ],
        }
        self.api.update_status(pod)

    def events(self, reason: str) -> list[Obj]:
        return [e for e in self.api.list("Event", "default") if e["reason"] == reason]


def template(labels: dict[str, str]) -> dict[str, Any]:
    return {
        "metadata": {"labels": labels},
        "spec": {"containers": [{"name": "kubia", "image": "luksa/kubia"}]},
    }


def rc(replicas: int, **spec: Any) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": {"name": "kubia", "namespace": "default"},
        "spec": {"replicas": replicas, "template": template({"app": "kubia"}), **spec},
    }


def bare_pod(name: str, labels: dict[str, str]) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": labels},
        "spec": {"containers": [{"name": "kubia", "image": "luksa/kubia"}]},
    }


def test_creates_replicas_named_after_the_controller_and_owned_by_it() -> None:
    sim = Sim()
    owner = sim.api.create(rc(3))
    sim.run()
    pods = sim.pods()
    assert len(pods) == 3
    for pod in pods:
        meta = pod["metadata"]
        assert meta["name"].startswith("kubia-") and len(meta["name"]) == len("kubia-") + 5
        assert meta["labels"] == {"app": "kubia"}
        (ref,) = meta["ownerReferences"]
        assert ref["kind"] == "ReplicationController" and ref["uid"] == owner["metadata"]["uid"]
        assert ref["controller"] is True
    created = sim.events("SuccessfulCreate")
    assert sorted(e["message"] for e in created) == sorted(
        f"Created pod: {p['metadata']['name']}" for p in pods
    )
    assert {e["involvedObject"]["kind"] for e in created} == {"ReplicationController"}
    assert {e["source"]["component"] for e in created} == {"replication-controller"}


def test_a_large_rc_combines_its_create_events_and_is_throttled_as_kubernetes_does() -> None:
    """40 pods: nine `Created pod` Events, then one combined Event; the controller's 25-event
    budget for the RC is spent after 16 of those, so the combined count stops there."""
    sim = Sim()
    sim.api.create(rc(40))
    sim.run()
    assert len(sim.pods()) == 40
    created = sim.events("SuccessfulCreate")
    plain = [e for e in created if e["message"].startswith("Created pod: ")]
    (combined,) = [e for e in created if e not in plain]
    assert len(plain) == 9 and {e["count"] for e in plain} == {1}
    assert combined["message"].startswith("(combined from similar events): Created pod: kubia-")
    assert combined["count"] == 16


def test_a_created_pod_shares_nothing_with_its_controllers_template() -> None:
    """The api completes the pod it is handed in place (defaults, metadata): the controller's
    template must come out of it untouched."""
    sim = Sim()
    owner = sim.api.create(rc(1, template=template({"app": "kubia", "tier": "web"})))
    before = copy.deepcopy(owner)
    created = sim.api.create(pod_from_template(owner), handed_over=True)
    created["metadata"]["labels"]["tier"] = "changed"
    created["spec"]["containers"][0]["image"] = "changed"
    assert created["spec"]["containers"][0]["terminationMessagePath"]
    assert owner == before


def test_status_counts_replicas_and_observed_generation() -> None:
    sim = Sim()
    sim.api.create(rc(3))
    sim.run()
    assert sim.api.get(RC)["status"] == {
        "replicas": 3,
        "fullyLabeledReplicas": 3,
        "observedGeneration": 1,
    }


def test_ready_and_available_replicas_wait_for_min_ready_seconds() -> None:
    sim = Sim()
    sim.api.create(rc(2, minReadySeconds=10))
    sim.run()
    for index, pod in enumerate(sim.pods()):
        sim.set_state(pod["metadata"]["name"], node=f"node-{index + 1}", ready=True)
    sim.run()
    status = sim.api.get(RC)["status"]
    assert (status["readyReplicas"], status.get("availableReplicas", 0)) == (2, 0)
    sim.run(10)
    assert sim.api.get(RC)["status"]["availableReplicas"] == 2


def test_a_deleted_pod_is_replaced() -> None:
    sim = Sim()
    sim.api.create(rc(3))
    sim.run()
    victim = sorted(sim.names())[0]
    sim.api.delete(ObjectKey("Pod", "default", victim))
    sim.run()
    assert len(sim.names()) == 3 and victim not in sim.names()


def test_pods_deleted_and_created_in_the_instant_of_a_reconcile_are_seen_by_it() -> None:
    sim = Sim()
    sim.api.create(rc(3))
    sim.run()
    victims = sorted(sim.names())[:2]
    with sim.store.transaction():
        for victim in victims:
            sim.api.delete(ObjectKey("Pod", "default", victim))
        sim.api.create(bare_pod("stray", {"app": "kubia"}))
        sim.run()
    assert len(sim.names()) == 3 and not set(victims) & sim.names()
    assert "stray" in sim.names() and len(sim.events("SuccessfulCreate")) == 4


def relabelled_pod() -> tuple[Sim, str]:
    """A converged RC of 3 whose first pod was relabelled out of its selector (not yet seen)."""
    sim = Sim()
    sim.api.create(rc(3))
    sim.run()
    name = sorted(sim.names())[0]
    pod = sim.api.get(ObjectKey("Pod", "default", name))
    pod["metadata"]["labels"] = {"app": "foo"}
    sim.api.update(pod)
    return sim, name


def test_a_controller_whose_cache_reads_the_store_itself_finds_the_same_pods() -> None:
    sim, name = relabelled_pod()
    revision = sim.store.revision()
    fresh = ReplicationManager(sim.api, kind="ReplicationController", name="fresh")

    fresh.reconcile(RC)  # never fed by a manager: lists, then releases and replaces

    assert "ownerReferences" not in sim.api.get(ObjectKey("Pod", "default", name))["metadata"]
    assert len(sim.names()) == 4 and sim.store.revision() > revision
    revision = sim.store.revision()
    fresh.reconcile(RC)
    assert sim.store.revision() == revision


def test_a_terminating_pod_no_longer_counts() -> None:
    sim = Sim()
    sim.api.create(rc(2))
    sim.run()
    victim = sorted(sim.names())[0]
    sim.set_state(victim, node="node-1", ready=True)
    sim.api.delete(ObjectKey("Pod", "default", victim))
    sim.run()
    assert len(sim.pods(active_only=False)) == 3
    assert len(sim.names()) == 2 and victim not in sim.names()


def test_scaling_down_deletes_unassigned_then_pending_then_not_ready_pods_first() -> None:
    sim = Sim()
    sim.api.create(rc(4))
    sim.run()
    unassigned, pending, not_ready, ready = sorted(sim.names())
    sim.set_state(pending, node="node-1", phase="Pending")
    sim.set_state(not_ready, node="node-2", ready=False)
    sim.set_state(ready, node="node-3", ready=True)
    sim.scale(RC, 3)
    assert unassigned not in sim.names()
    sim.scale(RC, 2)
    assert sim.names() == {not_ready, ready}
    sim.scale(RC, 1)
    assert sim.names() == {ready}
    assert len(sim.events("SuccessfulDelete")) == 3
    assert {e["message"] for e in sim.events("SuccessfulDelete")} == {
        f"Deleted pod: {unassigned}",
        f"Deleted pod: {pending}",
        f"Deleted pod: {not_ready}",
    }


def test_scaling_down_prefers_doubled_up_then_newer_pods() -> None:
    sim = Sim()
    sim.api.create(rc(1))
    sim.run()
    (oldest,) = sim.names()
    sim.set_state(oldest, node="node-1", ready=True)
    sim.clock.advance(3600)
    sim.scale(RC, 3)
    newer = sorted(sim.names() - {oldest})
    sim.set_state(newer[0], node="node-1", ready=True)
    sim.set_state(newer[1], node="node-2", ready=True)
    sim.clock.advance(3600)
    sim.scale(RC, 2)
    # node-1 holds two pods: one of them goes, and of those two the more recently ready one.
    assert sim.names() == {oldest, newer[1]}


def test_orphans_matching_the_selector_are_adopted() -> None:
    sim = Sim()
    sim.api.create(bare_pod("stray", {"app": "kubia"}))
    sim.api.create(bare_pod("other", {"app": "other"}))
    owner = sim.api.create(rc(2))
    sim.run()
    stray = sim.api.get(ObjectKey("Pod", "default", "stray"))
    assert stray["metadata"]["ownerReferences"][0]["uid"] == owner["metadata"]["uid"]
    assert "ownerReferences" not in sim.api.get(ObjectKey("Pod", "default", "other"))["metadata"]
    assert len(sim.names()) == 3
    assert len(sim.events("SuccessfulCreate")) == 1


def test_an_orphan_created_later_is_adopted_and_a_surplus_pod_deleted() -> None:
    sim = Sim()
    sim.api.create(rc(2))
    sim.run(100)
    sim.api.create(bare_pod("stray", {"app": "kubia"}))
    sim.run()
    assert len(sim.names()) == 2
    # The stray pod is the newest: it is the one deleted.
    assert "stray" not in sim.names()


def test_a_relabelled_pod_is_released_and_replaced() -> None:
    sim, name = relabelled_pod()
    sim.run()
    released = sim.api.get(ObjectKey("Pod", "default", name))
    assert "ownerReferences" not in released["metadata"]
    owned = [p for p in sim.pods() if p["metadata"].get("ownerReferences")]
    assert len(owned) == 3 and name not in {p["metadata"]["name"] for p in owned}


def test_fully_labeled_counts_pods_carrying_every_template_label() -> None:
    sim = Sim()
    sim.api.create(bare_pod("partial", {"app": "kubia"}))
    owner = rc(2, selector={"app": "kubia"})
    owner["spec"]["template"] = template({"app": "kubia", "tier": "web"})
    sim.api.create(owner)
    sim.run()
    status = sim.api.get(RC)["status"]
    assert (status["replicas"], status["fullyLabeledReplicas"]) == (2, 1)


def test_reconciling_a_settled_controller_changes_nothing() -> None:
    sim = Sim()
    sim.api.create(rc(3))
    sim.run()
    revision = sim.store.revision()
    assert sim.rc.reconcile(RC).requeue_after is None
    assert sim.store.revision() == revision


def test_one_reconcile_creates_at_most_the_burst() -> None:
    sim = Sim()
    with sim.store.transaction():
        sim.api.create(rc(BURST_REPLICAS + 20))
    controller = ReplicationManager(sim.api, kind="ReplicationController", name="probe")
    controller.reconcile(RC)
    assert len(sim.pods()) == BURST_REPLICAS
    sim.run()
    assert len(sim.pods()) == BURST_REPLICAS + 20
    assert sim.api.get(RC)["status"]["replicas"] == BURST_REPLICAS + 20


def test_a_refused_create_is_reported_as_replica_failure() -> None:
    def no_pods(obj: Obj) -> None:
        if obj["kind"] == "Pod":
            raise Invalid('pods "kubia-" is forbidden: exceeded quota: pods')

    sim = Sim(validator=no_pods)
    sim.api.create(rc(2))
    sim.run()
    status = sim.api.get(RC)["status"]
    (condition,) = status["conditions"]
    assert condition["type"] == "ReplicaFailure" and condition["reason"] == "FailedCreate"
    assert condition["message"] == 'pods "kubia-" is forbidden: exceeded quota: pods'
    (event,) = sim.events("FailedCreate")
    assert event["type"] == "Warning"
    assert event["message"] == 'Error creating: pods "kubia-" is forbidden: exceeded quota: pods'


def test_replica_set_selects_with_match_expressions() -> None:
    sim = Sim()
    sim.api.create(bare_pod("prod", {"app": "kubia", "env": "prod"}))
    sim.api.create(bare_pod("dev", {"app": "kubia", "env": "dev"}))
    sim.api.create(
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {"name": "kubia", "namespace": "default"},
            "spec": {
                "replicas": 3,
                "selector": {
                    "matchLabels": {"app": "kubia"},
                    "matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}],
                },
                "template": template({"app": "kubia", "env": "dev"}),
            },
        }
    )
    sim.run()
    owned = [p for p in sim.pods() if p["metadata"].get("ownerReferences")]
    assert len(owned) == 3
    assert "dev" in {p["metadata"]["name"] for p in owned}
    assert "ownerReferences" not in sim.api.get(ObjectKey("Pod", "default", "prod"))["metadata"]
    assert {p["metadata"]["ownerReferences"][0]["kind"] for p in owned} == {"ReplicaSet"}
    rs_events = sim.events("SuccessfulCreate")
    assert {e["source"]["component"] for e in rs_events} == {"replicaset-controller"}
    assert sim.api.get(RS)["status"]["replicas"] == 3


def test_in_a_full_cluster_replicas_become_ready_and_available() -> None:
    clock = VirtualClock()
    with open_cluster(MemoryStore(), clock=clock, seed=5) as cluster:
        cluster.api.create(rc(3))
        cluster.advance()
        assert cluster.api.get(RC)["status"].get("readyReplicas", 0) == 0
        clock.advance(60)
        cluster.advance()
        status = cluster.api.get(RC)["status"]
        assert (status["replicas"], status["readyReplicas"], status["availableReplicas"]) == (
            3,
            3,
            3,
        )
        nodes = {p["spec"]["nodeName"] for p in cluster.api.list("Pod", "default")}
        assert nodes == {"node-1", "node-2", "node-3"}
