"""Deployments on the full simulated cluster (scheduler, kubelets, ReplicaSet controller), on a
virtual clock: ReplicaSets named by the template hash, rolling updates that hold the surge and
unavailability bounds at every tick, Recreate, stalled rollouts and their deadline, pause and
resume, undo, the revision history limit, scaling mid-rollout, adoption, cascading deletion and
idempotent reconciles."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from reconciler.api import rollout
from reconciler.clock import VirtualClock
from reconciler.cluster.controllers.deletion import is_active, ready_since
from reconciler.cluster.controllers.deployment import DeploymentController
from reconciler.cluster.network import request
from reconciler.model.deployments import (
    HASH_LABEL,
    REVISION,
    REVISION_HISTORY,
    pod_template_hash,
    revision_of,
)
from reconciler.model.keys import Obj, ObjectKey
from reconciler.runtime.session import Cluster, open_cluster
from reconciler.store.memory import MemoryStore

KEY = ObjectKey("Deployment", "default", "kubia")
TICK = 0.5


def deployment(replicas: int = 3, image: str = "luksa/kubia:v1", **spec: Any) -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "kubia"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "kubia"}},
            "template": {
                "metadata": {"name": "kubia", "labels": {"app": "kubia"}},
                "spec": {"containers": [{"name": "nodejs", "image": image}]},
            },
            **spec,
        },
    }


class Sim:
    """A cluster on a virtual clock, with the views these tests look through."""

    def __init__(self, cluster: Cluster, clock: VirtualClock) -> None:
        self.cluster = cluster
        self.api = cluster.api
        self.clock = clock

    def run(self, seconds: float = 0.0, *, check: Callable[[], None] | None = None) -> None:
        """Let `seconds` pass in ticks, calling `check` after each."""
        end = self.clock.now() + seconds
        while True:
            self.cluster.advance()
            if check is not None:
                check()
            if self.clock.now() >= end:
                return
            self.clock.advance(min(TICK, end - self.clock.now()))

    def get(self) -> Obj:
        return self.api.get(KEY)

    def edit(self, change: Callable[[Obj], None]) -> None:
        obj = self.get()
        change(obj)
        self.api.update(obj)
        self.cluster.advance()

    def set_image(self, image: str) -> None:
        def change(obj: Obj) -> None:
            obj["spec"]["template"]["spec"]["containers"][0]["image"] = image

        self.edit(change)

    def replica_sets(self) -> list[Obj]:
        return self.api.list("ReplicaSet", "default")

    def sizes(self) -> dict[str, int]:
        """Image → spec.replicas of its ReplicaSet."""
        return {
            rs["spec"]["template"]["spec"]["containers"][0]["image"]: rs["spec"]["replicas"]
            for rs in self.replica_sets()
        }

    def pods(self, *, active_only: bool = True) -> list[Obj]:
        pods = self.api.list("Pod", "default")
        return [p for p in pods if is_active(p)] if active_only else pods

    def available(self) -> list[Obj]:
        """Pods ready for at least minReadySeconds (what `availableReplicas` counts)."""
        min_ready = float(self.get()["spec"].get("minReadySeconds") or 0)
        now = self.clock.now()
        return [
            p
            for p in self.pods()
            if (since := ready_since(p)) is not None and since + min_ready <= now
        ]

    def images(self, pods: list[Obj]) -> set[str]:
        return {p["spec"]["containers"][0]["image"] for p in pods}

    def condition(self, kind: str) -> dict[str, Any]:
        return next(c for c in self.get()["status"]["conditions"] if c["type"] == kind)

    def events(self, reason: str = "ScalingReplicaSet") -> list[str]:
        found = [e for e in self.api.list("Event", "default") if e["reason"] == reason]
        found.sort(key=lambda e: (e["firstTimestamp"], e["metadata"]["resourceVersion"]))
        return [e["message"] for e in found]


@pytest.fixture
def sim() -> Iterator[Sim]:
    clock = VirtualClock()
    with open_cluster(MemoryStore(), clock=clock, seed=7) as cluster:
        yield Sim(cluster, clock)


def settle(sim: Sim, seconds: float = 60.0) -> None:
    sim.run(seconds)
    status = sim.get()["status"]
    assert status.get("availableReplicas", 0) == sim.get()["spec"]["replicas"], status


# -- creation ---------------------------------------------------------------------------------


def test_a_deployment_runs_its_pods_through_a_replica_set_named_by_the_template_hash(
    sim: Sim,
) -> None:
    created = sim.api.create(deployment())
    settle(sim)
    (rs,) = sim.replica_sets()
    pod_hash = pod_template_hash(created["spec"]["template"])
    assert re.fullmatch(r"[bcdfghjklmnpqrstvwxz2456789]{8,10}", pod_hash)
    assert rs["metadata"]["name"] == f"kubia-{pod_hash}"
    assert rs["metadata"]["labels"] == {"app": "kubia", HASH_LABEL: pod_hash}
    assert rs["spec"]["selector"] == {"matchLabels": {"app": "kubia", HASH_LABEL: pod_hash}}
    assert rs["spec"]["template"]["metadata"]["labels"][HASH_LABEL] == pod_hash
    assert rs["metadata"]["ownerReferences"][0]["kind"] == "Deployment"
    assert rs["metadata"]["annotations"] == {
        REVISION: "1",
        "deployment.kubernetes.io/desired-replicas": "3",
        "deployment.kubernetes.io/max-replicas": "4",
    }
    pods = sim.pods()
    assert len(pods) == 3
    assert all(p["metadata"]["name"].startswith(f"kubia-{pod_hash}-") for p in pods)
    assert all(p["metadata"]["labels"][HASH_LABEL] == pod_hash for p in pods)
    live = sim.get()
    assert live["metadata"]["annotations"][REVISION] == "1"
    status = live["status"]
    assert {k: v for k, v in status.items() if k != "conditions"} == {
        "observedGeneration": 1,
        "replicas": 3,
        "updatedReplicas": 3,
        "readyReplicas": 3,
        "availableReplicas": 3,
    }
    assert [(c["type"], c["status"], c["reason"], c["message"]) for c in status["conditions"]] == [
        ("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
        (
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            f'ReplicaSet "kubia-{pod_hash}" has successfully progressed.',
        ),
    ]
    assert sim.events() == [f"Scaled up replica set kubia-{pod_hash} from 0 to 3"]


def test_the_template_hash_is_stable_and_follows_the_collision_count() -> None:
    template = deployment()["spec"]["template"]
    assert pod_template_hash(template) == pod_template_hash(copy.deepcopy(template))
    assert pod_template_hash(template, 1) != pod_template_hash(template)
    other = copy.deepcopy(template)
    other["spec"]["containers"][0]["image"] = "luksa/kubia:v2"
    assert pod_template_hash(other) != pod_template_hash(template)


def test_a_new_deployment_is_progressing_until_its_pods_are_available(sim: Sim) -> None:
    sim.api.create(deployment())
    sim.cluster.advance()
    status = sim.get()["status"]
    assert status["unavailableReplicas"] == 3
    assert sim.condition("Available")["reason"] == "MinimumReplicasUnavailable"
    progressing = sim.condition("Progressing")
    assert progressing["reason"] == "ReplicaSetUpdated"  # its pods were created: progress
    assert re.fullmatch(r'ReplicaSet "kubia-\w+" is progressing\.', progressing["message"])


# -- rolling updates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("replicas", "strategy", "surge", "unavailable"),
    [
        (4, None, 1, 1),  # the defaults: 25% each
        (3, {"maxSurge": 1, "maxUnavailable": 0}, 1, 0),  # the book's kubia deployment
        (10, {"maxSurge": "30%", "maxUnavailable": "20%"}, 3, 2),
        (3, {"maxSurge": 0, "maxUnavailable": 1}, 0, 1),
        (5, {"maxSurge": "10%", "maxUnavailable": "10%"}, 1, 0),  # 0.5 rounds up, 0.5 down
    ],
)
def test_a_rolling_update_holds_the_surge_and_unavailability_bounds_at_every_tick(
    sim: Sim, replicas: int, strategy: dict[str, Any] | None, surge: int, unavailable: int
) -> None:
    spec: dict[str, Any] = {"minReadySeconds": 2}
    if strategy is not None:
        spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": strategy}
    sim.api.create(deployment(replicas, **spec))
    settle(sim)

    def bounds() -> None:
        assert len(sim.pods()) <= replicas + surge
        assert len(sim.available()) >= replicas - unavailable

    sim.set_image("luksa/kubia:v2")
    sim.run(180, check=bounds)
    assert sim.images(sim.pods()) == {"luksa/kubia:v2"}
    assert sim.sizes() == {"luksa/kubia:v1": 0, "luksa/kubia:v2": replicas}
    status = sim.get()["status"]
    assert (status["updatedReplicas"], status["availableReplicas"]) == (replicas, replicas)
    assert sim.condition("Progressing")["reason"] == "NewReplicaSetAvailable"
    assert sim.get()["metadata"]["annotations"][REVISION] == "2"


def test_scaling_events_name_each_step_of_the_book_rollout(sim: Sim) -> None:
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    sim.api.create(deployment(3, strategy=strategy))
    settle(sim)
    old = sim.replica_sets()[0]["metadata"]["name"]
    sim.set_image("luksa/kubia:v2")
    sim.run(120)
    new = next(n for rs in sim.replica_sets() if (n := rs["metadata"]["name"]) != old)
    assert sim.events() == [
        f"Scaled up replica set {old} from 0 to 3",
        f"Scaled up replica set {new} from 0 to 1",
        f"Scaled down replica set {old} from 3 to 2",
        f"Scaled up replica set {new} from 1 to 2",
        f"Scaled down replica set {old} from 2 to 1",
        f"Scaled up replica set {new} from 2 to 3",
        f"Scaled down replica set {old} from 1 to 0",
    ]


def test_a_scale_alone_creates_no_replica_set(sim: Sim) -> None:
    sim.api.create(deployment(3))
    settle(sim)
    sim.edit(lambda d: d["spec"].update(replicas=5))
    settle(sim)
    assert sim.sizes() == {"luksa/kubia:v1": 5}
    assert len(sim.pods()) == 5
    assert sim.get()["metadata"]["annotations"][REVISION] == "1"


def test_a_scale_during_a_rollout_is_shared_in_proportion(sim: Sim) -> None:
    sim.api.create(deployment(10, minReadySeconds=30))
    settle(sim)
    sim.set_image("luksa/kubia:v2")
    sim.run(10)  # new pods ready but not yet available: the rollout is midway
    before = sim.sizes()
    assert 0 < before["luksa/kubia:v2"] < 10 < sum(before.values())
    sim.edit(lambda d: d["spec"].update(replicas=20))
    after = sim.sizes()
    assert len(sim.replica_sets()) == 2
    assert sum(after.values()) == 20 + 5  # the new ceiling: replicas + 25% surge
    for image, size in before.items():
        assert after[image] == pytest.approx(size * 25 / sum(before.values()), abs=1)
    sim.run(400)
    assert sim.sizes() == {"luksa/kubia:v1": 0, "luksa/kubia:v2": 20}


# -- serving during a rollout ----------------------------------------------------------------


SERVICE: Obj = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "kubia"},
    "spec": {"selector": {"app": "kubia"}, "ports": [{"port": 80, "targetPort": 8080}]},
}


def test_a_service_answers_from_ready_pods_of_both_versions_during_a_rollout(sim: Sim) -> None:
    sim.api.create(SERVICE)
    sim.api.create(deployment(3, minReadySeconds=10))
    settle(sim)
    sim.set_image("luksa/kubia:v2")
    sim.run(8)  # the first v2 pod is ready, not yet available: the rollout is midway
    assert sorted(sim.sizes().values()) == [1, 3]
    bodies = {reply.body.split(" running")[0] for reply in request(sim.api, "svc/kubia", count=40)}
    assert bodies == {"This is v1", "This is v2"}

    def change(obj: Obj) -> None:
        container = obj["spec"]["template"]["spec"]["containers"][0]
        container.update(image="luksa/kubia:v3", readinessProbe=READINESS)

    sim.run(60)
    sim.edit(change)
    sim.run(30)  # v3 answered a few requests, then failed its probes: it is no longer ready
    v3 = [p for p in sim.pods() if p["spec"]["containers"][0]["image"] == "luksa/kubia:v3"]
    assert len(v3) == 1 and ready_since(v3[0]) is None
    replies = request(sim.api, "svc/kubia", count=40)
    assert {reply.status for reply in replies} == {200}
    assert {reply.body.split(" running")[0] for reply in replies} == {"This is v2"}


# -- Recreate ---------------------------------------------------------------------------------


def test_recreate_stops_every_old_pod_before_starting_a_new_one(sim: Sim) -> None:
    sim.api.create(deployment(3, strategy={"type": "Recreate"}))
    settle(sim)

    def one_version_at_a_time() -> None:
        assert len(sim.images(sim.pods(active_only=False))) <= 1

    sim.set_image("luksa/kubia:v2")
    sim.run(120, check=one_version_at_a_time)
    assert sim.images(sim.pods()) == {"luksa/kubia:v2"} and len(sim.pods()) == 3
    old, new = (rs["metadata"]["name"] for rs in sorted(sim.replica_sets(), key=revision_of))
    assert sim.events()[-2:] == [
        f"Scaled down replica set {old} from 3 to 0",
        f"Scaled up replica set {new} from 0 to 3",
    ]


# -- stalled rollouts -------------------------------------------------------------------------


READINESS = {"periodSeconds": 1, "httpGet": {"path": "/", "port": 8080}}


def _unpullable(container: dict[str, Any]) -> None:
    container["image"] = "registry.example.com/kubia:v2"


def _crashing(container: dict[str, Any]) -> None:
    container.update(image="busybox", command=["sh", "-c", "exit 1"])


def _failing_readiness(container: dict[str, Any]) -> None:
    container.update(image="luksa/kubia:v3", readinessProbe=READINESS)


@pytest.mark.parametrize(
    "breakage",
    [_unpullable, _crashing, _failing_readiness],
    ids=["image-pull", "crash-loop", "readiness"],
)
def test_a_stalled_rollout_exceeds_its_progress_deadline(
    sim: Sim, breakage: Callable[[dict[str, Any]], None]
) -> None:
    sim.api.create(deployment(3, minReadySeconds=10))
    settle(sim)

    def change(obj: Obj) -> None:
        breakage(obj["spec"]["template"]["spec"]["containers"][0])

    sim.edit(change)
    started = sim.clock.now()
    sim.run(120)
    progressing = sim.condition("Progressing")
    assert progressing["status"] == "True"
    last_progress = started + 600
    sim.run(last_progress - sim.clock.now() - 60)
    assert sim.condition("Progressing")["status"] == "True"
    sim.run(60 + 62)
    progressing = sim.condition("Progressing")
    assert (progressing["status"], progressing["reason"]) == ("False", "ProgressDeadlineExceeded")
    new = max(sim.replica_sets(), key=revision_of)["metadata"]["name"]
    assert progressing["message"] == f'ReplicaSet "{new}" has timed out progressing.'
    assert sorted(sim.sizes().values()) == [1, 3]
    assert len(sim.available()) == 3  # the old pods kept serving
    assert sim.condition("Available")["status"] == "True"


def test_the_deadline_counts_from_the_last_sign_of_progress(sim: Sim) -> None:
    sim.api.create(deployment(3, image="registry.example.com/nope"))
    sim.run(599)
    assert sim.condition("Progressing")["reason"] == "ReplicaSetUpdated"
    sim.run(3)
    assert sim.condition("Progressing")["reason"] == "ProgressDeadlineExceeded"


# -- pause and resume -------------------------------------------------------------------------


def test_a_paused_deployment_rolls_nothing_out_but_still_scales(sim: Sim) -> None:
    sim.api.create(deployment(3))
    settle(sim)
    rollout.pause(sim.api, KEY)
    sim.cluster.advance()
    assert sim.condition("Progressing")["reason"] == "DeploymentPaused"
    assert sim.condition("Progressing")["status"] == "Unknown"
    sim.set_image("luksa/kubia:v2")
    sim.edit(lambda d: d["spec"].update(replicas=4))
    sim.run(60)
    assert sim.sizes() == {"luksa/kubia:v1": 4}
    assert sim.images(sim.pods()) == {"luksa/kubia:v1"}
    assert sim.get()["status"]["observedGeneration"] == sim.get()["metadata"]["generation"]

    rollout.resume(sim.api, KEY)
    sim.cluster.advance()
    assert sim.condition("Progressing")["reason"] != "DeploymentPaused"
    sim.run(180)
    assert sim.sizes() == {"luksa/kubia:v1": 0, "luksa/kubia:v2": 4}


def test_a_paused_deployment_is_resumed_without_timing_out(sim: Sim) -> None:
    sim.api.create(deployment(2))
    settle(sim)
    rollout.pause(sim.api, KEY)
    sim.set_image("luksa/kubia:v2")
    sim.run(900)
    rollout.resume(sim.api, KEY)
    sim.run(60)
    assert sim.condition("Progressing")["reason"] == "NewReplicaSetAvailable"


# -- history and undo -------------------------------------------------------------------------


def roll_through(sim: Sim, *images: str) -> None:
    for image in images:
        sim.set_image(image)
        settle(sim, 120)


def test_undo_goes_back_to_the_previous_revision_and_renumbers_it(sim: Sim) -> None:
    sim.api.create(deployment(2))
    settle(sim)
    roll_through(sim, "luksa/kubia:v2", "luksa/kubia:v3")
    assert [r.number for r in rollout.history(sim.api, KEY)] == [1, 2, 3]

    done = rollout.undo(sim.api, KEY)
    assert done.action == "rolled back"
    settle(sim, 120)
    assert sim.images(sim.pods()) == {"luksa/kubia:v2"}
    assert [r.number for r in rollout.history(sim.api, KEY)] == [1, 3, 4]
    back = next(rs for rs in sim.replica_sets() if revision_of(rs) == 4)
    assert back["metadata"]["annotations"][REVISION_HISTORY] == "2"
    assert sim.get()["metadata"]["annotations"][REVISION] == "4"
    assert HASH_LABEL not in sim.get()["spec"]["template"]["metadata"]["labels"]


def test_undo_to_a_revision_and_to_the_current_one(sim: Sim) -> None:
    sim.api.create(deployment(2))
    settle(sim)
    roll_through(sim, "luksa/kubia:v2", "luksa/kubia:v3")
    assert rollout.undo(sim.api, KEY, to_revision=1).action == "rolled back"
    settle(sim, 120)
    assert sim.images(sim.pods()) == {"luksa/kubia:v1"}
    skipped = rollout.undo(sim.api, KEY, to_revision=4)
    assert skipped.action == "skipped rollback (current template already matches revision 4)"
    with pytest.raises(Exception, match="unable to find specified revision 9 in history"):
        rollout.undo(sim.api, KEY, to_revision=9)


def test_old_replica_sets_beyond_the_history_limit_are_deleted(sim: Sim) -> None:
    sim.api.create(deployment(1, revisionHistoryLimit=2))
    settle(sim)
    roll_through(sim, *(f"luksa/kubia:v{n}" for n in (2, 3, 4)), "nginx")
    revisions = sorted(revision_of(rs) for rs in sim.replica_sets())
    assert revisions == [3, 4, 5]
    assert [r.number for r in rollout.history(sim.api, KEY)] == [3, 4, 5]


# -- ownership --------------------------------------------------------------------------------


def test_a_matching_orphan_replica_set_is_adopted(sim: Sim) -> None:
    orphan = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": "kubia-handmade", "labels": {"app": "kubia"}},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "kubia"}},
            "template": deployment()["spec"]["template"],
        },
    }
    sim.api.create(orphan)
    settle_pods = 30
    sim.run(settle_pods)
    sim.api.create(deployment(3))
    sim.run(30)
    (rs,) = sim.replica_sets()
    assert rs["metadata"]["name"] == "kubia-handmade"
    assert rs["metadata"]["ownerReferences"][0]["name"] == "kubia"
    assert len(sim.pods()) == 3


def test_a_name_taken_by_another_replica_set_bumps_the_collision_count(sim: Sim) -> None:
    defaulted = sim.api.create(deployment(2), dry_run=True)
    taken = f"kubia-{pod_template_hash(defaulted['spec']['template'])}"
    stranger = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": taken, "labels": {"app": "other"}},
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": {"app": "other"}},
            "template": {
                "metadata": {"labels": {"app": "other"}},
                "spec": {"containers": [{"name": "web", "image": "nginx"}]},
            },
        },
    }
    sim.api.create(stranger)
    sim.api.create(deployment(2))
    settle(sim)
    assert sim.get()["status"]["collisionCount"] == 1
    ours = [rs for rs in sim.replica_sets() if rs["metadata"].get("ownerReferences")]
    (rs,) = ours
    retried = pod_template_hash(sim.get()["spec"]["template"], 1)
    assert rs["metadata"]["name"] == f"kubia-{retried}" != taken
    assert len(sim.pods()) == 2


def test_deleting_a_deployment_deletes_its_replica_sets_and_pods(sim: Sim) -> None:
    sim.api.create(deployment(3))
    settle(sim)
    roll_through(sim, "luksa/kubia:v2")
    sim.api.delete(KEY)
    sim.run(60)
    assert sim.replica_sets() == []
    assert sim.pods(active_only=False) == []


# -- idempotence ------------------------------------------------------------------------------


@pytest.mark.parametrize("midway", [False, True], ids=["settled", "mid-rollout"])
def test_reconciling_twice_writes_nothing_the_second_time(sim: Sim, midway: bool) -> None:
    sim.api.create(deployment(4, minReadySeconds=20))
    settle(sim)
    if midway:
        sim.set_image("luksa/kubia:v2")
        sim.run(10)
    controller = DeploymentController(sim.api)
    controller.reconcile(KEY)
    revision = sim.api.store.revision()
    controller.reconcile(KEY)
    assert sim.api.store.revision() == revision
