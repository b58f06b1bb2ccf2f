"""The kubelet runs pods as Kubernetes' does: image pulls with a per-node cache, ContainerCreating
then Running, pull failures backing off, crash loops backing off 10 s doubling to 5 min, probes,
graceful deletion; with the kubelet's own event wording. A whole cluster (every controller) on a
virtual clock."""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest

from reconciler.api.informer import Changes
from reconciler.cluster.kubelet import Kubelet
from reconciler.cluster.reconcile import DONE
from reconciler.cluster.timing import TimingName
from reconciler.errors import NotFound
from reconciler.model.keys import Obj, ObjectKey
from reconciler.store.base import EventType as ChangeType
from reconciler.store.base import WatchEvent
from tests import clusters


class Sim(clusters.Sim):
    """The cluster with the kubelet's views: one pod's container state and events."""

    def __init__(self, *, nodes: int = 3, timing: TimingName = TimingName.REALISTIC) -> None:
        super().__init__(seed=3, nodes=nodes, timing=timing)
        self.start = self.clock.now()

    def at(self, elapsed: float) -> None:
        """Advance to `elapsed` seconds after the simulation started."""
        self.run(self.start + elapsed - self.clock.now())

    def pod(self, name: str = "kubia") -> Obj:
        return self.api.get(ObjectKey("Pod", "default", name))

    def container(self, name: str = "kubia") -> dict[str, Any]:
        statuses = self.pod(name)["status"].get("containerStatuses") or [{}]
        return statuses[0]  # type: ignore[no-any-return]

    def state(self, name: str = "kubia") -> str:
        """`waiting:Reason`, `running` or `terminated:Reason`."""
        state = self.container(name).get("state") or {}
        kind, detail = next(iter(state.items()))
        return f"{kind}:{detail['reason']}" if "reason" in detail else kind

    def events(self, reason: str | None = None, name: str = "kubia") -> list[str]:
        return [
            e["message"]
            for e in sorted(self.api.list("Event", "default"), key=lambda e: e["firstTimestamp"])
            if e["involvedObject"]["name"] == name and reason in (None, e["reason"])
        ]


def pod(name: str = "kubia", image: str = "luksa/kubia", **extra: Any) -> Obj:
    container: dict[str, Any] = {"name": "kubia", "image": image}
    spec: dict[str, Any] = {}
    for field, value in extra.items():
        target = spec if field in ("restartPolicy", "nodeName") else container
        target[field] = value
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [container], **spec},
    }


@pytest.fixture
def sim() -> Sim:
    return Sim()


def test_a_pod_is_container_creating_while_its_image_pulls_then_running_and_ready(
    sim: Sim,
) -> None:
    sim.api.create(pod())
    sim.run()
    status = sim.pod()["status"]
    assert status["phase"] == "Pending"
    assert sim.state() == "waiting:ContainerCreating"
    assert status["podIP"].startswith("10.244.")
    assert status["hostIP"].startswith("172.18.0.")
    sim.run(10)
    status = sim.pod()["status"]
    assert status["phase"] == "Running"
    assert sim.state() == "running"
    assert sim.container()["ready"] is True
    assert sim.container()["image"] == "docker.io/luksa/kubia:latest"
    assert sim.container()["containerID"].startswith("containerd://")
    conditions = {c["type"]: c["status"] for c in status["conditions"]}
    assert conditions == {
        "PodReadyToStartContainers": "True",
        "Initialized": "True",
        "Ready": "True",
        "ContainersReady": "True",
        "PodScheduled": "True",
    }


def test_the_kubelet_words_its_events_as_kubernetes_does(sim: Sim) -> None:
    sim.api.create(pod())
    sim.run(10)
    assert sim.events("Pulling") == ['Pulling image "luksa/kubia"']
    (pulled,) = sim.events("Pulled")
    assert re.fullmatch(
        r'Successfully pulled image "luksa/kubia" in (\d+\.)?\d+m?s \((\d+\.)?\d+m?s including '
        r"waiting\)\. Image size: 98730123 bytes\.",
        pulled,
    )
    assert sim.events("Created") == ["Created container kubia"]
    assert sim.events("Started") == ["Started container kubia"]
    (event,) = [e for e in sim.api.list("Event", "default") if e["reason"] == "Started"]
    assert event["source"] == {"component": "kubelet", "host": sim.pod()["spec"]["nodeName"]}


def test_a_second_pod_on_the_node_finds_the_image_already_present(sim: Sim) -> None:
    sim.api.create(pod("first", "luksa/kubia:v1", nodeName="node-1"))
    sim.run(10)
    sim.api.create(pod("second", "luksa/kubia:v1", nodeName="node-1"))
    sim.run(0.5)
    assert sim.events("Pulled", "second") == [
        'Container image "luksa/kubia:v1" already present on machine'
    ]
    assert sim.state("second") == "waiting:ContainerCreating"
    sim.run(1)
    assert sim.state("second") == "running"
    node = sim.api.get(ObjectKey("Node", "", "node-1"))
    (image,) = node["status"]["images"]
    assert "docker.io/luksa/kubia:v1" in image["names"]
    assert image["sizeBytes"] == 98730123


def test_pods_pulling_the_same_image_at_once_wait_for_one_pull(sim: Sim) -> None:
    sim.api.create(pod("first", nodeName="node-1"))
    sim.api.create(pod("second", nodeName="node-1"))
    sim.run(10)
    (pulled,) = sim.events("Pulled", "second")
    waited = re.search(r"\(([\d.]+)s including waiting\)", pulled)
    assert waited is not None and float(waited.group(1)) > 3


def test_an_image_on_an_unknown_registry_fails_to_pull_then_backs_off(sim: Sim) -> None:
    sim.api.create(pod(image="registry.example.com/kubia"))
    sim.run(1.6)
    assert sim.state() == "waiting:ErrImagePull"
    failed = sim.events("Failed")
    assert "Error: ErrImagePull" in failed
    (pull,) = [m for m in failed if m.startswith("Failed to pull")]
    assert pull.startswith('Failed to pull image "registry.example.com/kubia": rpc error:')
    assert pull.endswith("lookup registry.example.com on 172.18.0.1:53: no such host")
    sim.run(3)
    assert sim.state() == "waiting:ImagePullBackOff"
    assert sim.container()["state"]["waiting"]["message"] == (
        'Back-off pulling image "registry.example.com/kubia"'
    )
    assert sim.events("BackOff") == ['Back-off pulling image "registry.example.com/kubia"']
    assert "Error: ImagePullBackOff" in sim.events("Failed")
    assert sim.pod()["status"]["phase"] == "Pending"
    sim.run(60)
    pulling = [e for e in sim.api.list("Event", "default") if e["reason"] == "Pulling"]
    assert pulling[0]["count"] >= 3  # tried again after 10 s, 20 s, …


def test_an_unknown_repository_on_a_known_registry_is_not_found(sim: Sim) -> None:
    sim.api.create(pod(image="gcr.io/typo/app"))
    sim.run(2)
    assert any(m.endswith("gcr.io/typo/app:latest: not found") for m in sim.events("Failed"))


def test_pull_policy_never_without_the_image_reports_err_image_never_pull(sim: Sim) -> None:
    sim.api.create(pod(image="nginx:1.27", imagePullPolicy="Never"))
    sim.run(1)
    assert sim.state() == "waiting:ErrImageNeverPull"
    assert sim.events("ErrImageNeverPull") == [
        'Container image "nginx:1.27" is not present with pull policy of Never'
    ]


def restart_times(sim: Sim, *, until: float, step: float = 1.0) -> list[float]:
    """Elapsed seconds at which the container's restartCount grew."""
    seen, times = 0, []
    while sim.clock.now() - sim.start < until:
        sim.run(step)
        count = sim.container().get("restartCount", 0)
        if count > seen:
            seen = count
            times.append(round(sim.clock.now() - sim.start))
    return times


def test_a_crashing_container_restarts_with_back_off_doubling_to_five_minutes(sim: Sim) -> None:
    sim.api.create(pod(image="busybox", command=["sh", "-c", "exit 1"], nodeName="node-1"))
    times = restart_times(sim, until=1500)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert times[0] < 5  # the first restart is immediate, as the kubelet's back-off has no entry
    # each restart takes the back-off plus ~1 s to create and start the container again
    assert [round(g / 10) * 10 for g in gaps[:6]] == [10, 20, 40, 80, 160, 300]
    assert all(290 <= g <= 302 for g in gaps[5:])
    status = sim.container()
    assert status["lastState"]["terminated"]["exitCode"] == 1
    assert status["lastState"]["terminated"]["reason"] == "Error"
    assert sim.state() == "waiting:CrashLoopBackOff"
    message = sim.container()["state"]["waiting"]["message"]
    assert message.startswith("back-off 5m0s restarting failed container=kubia pod=kubia_default(")
    backoff = [e for e in sim.api.list("Event", "default") if e["reason"] == "BackOff"]
    assert backoff[0]["message"].startswith("Back-off restarting failed container kubia in pod ")
    assert sim.pod()["status"]["phase"] == "Running"


def test_a_container_that_completes_with_restart_policy_never_leaves_the_pod_succeeded(
    sim: Sim,
) -> None:
    sim.api.create(
        pod(image="busybox", command=["sh", "-c", "echo done; sleep 5"], restartPolicy="Never")
    )
    sim.run(30)
    assert sim.pod()["status"]["phase"] == "Succeeded"
    assert sim.state() == "terminated:Completed"
    ready = [c for c in sim.pod()["status"]["conditions"] if c["type"] == "Ready"]
    assert ready[0]["reason"] == "PodCompleted"


def test_a_failing_container_with_restart_policy_never_leaves_the_pod_failed(sim: Sim) -> None:
    sim.api.create(pod(image="busybox", command=["sh", "-c", "exit 3"], restartPolicy="Never"))
    sim.run(30)
    assert sim.pod()["status"]["phase"] == "Failed"
    assert sim.container()["state"]["terminated"]["exitCode"] == 3
    assert sim.container()["restartCount"] == 0


def test_a_readiness_probe_decides_when_the_pod_is_ready(sim: Sim) -> None:
    probe = {"httpGet": {"path": "/", "port": 8080}, "periodSeconds": 1}
    sim.api.create(pod(image="luksa/kubia:v3", readinessProbe=probe))
    sim.run(6)
    assert sim.container()["ready"] is True
    # v3 answers 500 from its fifth request on; three failed probes make it not ready
    sim.run(10)
    assert sim.state() == "running"
    assert sim.container()["ready"] is False
    ready = [c for c in sim.pod()["status"]["conditions"] if c["type"] == "Ready"]
    assert ready[0]["status"] == "False"
    assert ready[0]["message"] == "containers with unready status: [kubia]"
    assert sim.events("Unhealthy")[0] == (
        "Readiness probe failed: HTTP probe failed with statuscode: 500"
    )


def test_a_probe_on_a_port_nothing_listens_on_is_refused(sim: Sim) -> None:
    probe = {"tcpSocket": {"port": 80}}
    sim.api.create(pod(readinessProbe=probe))
    sim.run(10)
    assert sim.container()["ready"] is False
    ip = sim.pod()["status"]["podIP"]
    assert sim.events("Unhealthy") == [
        f"Readiness probe failed: dial tcp {ip}:80: connect: connection refused"
    ]


def test_a_failing_liveness_probe_restarts_the_container(sim: Sim) -> None:
    probe = {"httpGet": {"path": "/", "port": 8080}}
    sim.api.create(pod(image="luksa/kubia-unhealthy", livenessProbe=probe))
    sim.run(5)
    # probes every 10 s; the 6th request fails, the 8th is the third failure in a row
    sim.run(75)
    assert sim.events("Killing") == ["Container kubia failed liveness probe, will be restarted"]
    assert sim.events("Unhealthy")[0] == (
        "Liveness probe failed: HTTP probe failed with statuscode: 500"
    )
    # node ignores SIGTERM as PID 1: killed after the 30 s grace period, exit code 137
    sim.run(32)
    status = sim.container()
    assert status["restartCount"] == 1
    assert status["lastState"]["terminated"]["exitCode"] == 137
    assert status["lastState"]["terminated"]["reason"] == "Error"


def test_a_deleted_pod_is_terminating_until_its_container_stops(sim: Sim) -> None:
    sim.api.create(pod())
    sim.run(10)
    ip = sim.pod()["status"]["podIP"]
    sim.api.delete(ObjectKey("Pod", "default", "kubia"))
    sim.run()
    assert sim.pod()["metadata"]["deletionTimestamp"]
    assert sim.events("Killing") == ["Stopping container kubia"]
    sim.run(29)
    assert sim.pod()["metadata"]["deletionTimestamp"]
    sim.run(2)
    with pytest.raises(NotFound):
        sim.pod()
    allocated = sim.store.get_meta(f"alloc/podIP/{'node-1'}/{ip}") or ""
    assert "kubia" not in allocated


def test_a_container_that_handles_sigterm_stops_at_once(sim: Sim) -> None:
    sim.api.create(pod(image="nginx"))
    sim.run(10)
    sim.api.delete(ObjectKey("Pod", "default", "kubia"))
    sim.run(1)
    with pytest.raises(NotFound):
        sim.pod()


def test_pod_ips_are_unique_and_taken_from_the_nodes_cidr(sim: Sim) -> None:
    for index in range(5):
        sim.api.create(pod(f"p{index}", nodeName="node-2"))
    sim.run(10)
    ips = [sim.pod(f"p{index}")["status"]["podIP"] for index in range(5)]
    assert ips == [f"10.244.1.{n}" for n in range(2, 7)]


def test_the_instant_profile_starts_pods_at_once() -> None:
    sim = Sim(timing=TimingName.INSTANT)
    sim.api.create(pod())
    sim.run()
    assert sim.pod()["status"]["phase"] == "Running"


def test_reconciling_a_pod_twice_changes_nothing_the_second_time(sim: Sim) -> None:
    sim.api.create(pod(nodeName="node-1"))
    sim.run(2)
    kubelet = Kubelet(sim.api)
    key = ObjectKey("Pod", "default", "kubia")
    kubelet.reconcile(key)
    revision = sim.store.revision()
    kubelet.reconcile(key)
    assert sim.store.revision() == revision


def test_a_status_someone_else_writes_over_the_kubelets_is_reported_again() -> None:
    sim = Sim(timing=TimingName.INSTANT)
    sim.api.create(pod())
    sim.run()
    running = sim.pod()["status"]
    with sim.store.transaction():  # in one instant with the kubelet's own write before it
        sim.api.delete(ObjectKey("Pod", "default", "kubia"), grace_period=0)
        sim.api.create(pod(nodeName="node-1"))
        sim.run()
        stale = sim.pod()
        stale["status"] = {**stale["status"], "phase": "Pending", "containerStatuses": []}
        sim.api.update_status(stale)
        sim.run()
    assert sim.pod()["status"]["phase"] == "Running"
    assert sim.pod()["status"]["containerStatuses"][0]["state"] == {
        "running": running["containerStatuses"][0]["state"]["running"]
    }


def test_an_idle_cluster_advances_a_day_without_writing(sim: Sim) -> None:
    for index in range(3):
        sim.api.create(pod(f"p{index}"))
    sim.run(60)
    revision = sim.store.revision()
    sim.run(24 * 3600)
    assert sim.store.revision() == revision
    assert sim.store.next_due() is None or sim.store.next_due() > sim.clock.now()


def test_an_idle_hundred_node_cluster_has_nothing_due() -> None:
    sim = Sim(nodes=100)
    sim.api.create(pod(nodeName="node-77"))
    sim.run(60)
    revision = sim.store.revision()
    assert sim.store.next_due() is None
    sim.run(3600)
    assert sim.store.revision() == revision


def test_pull_policy_always_pulls_again_even_when_the_node_has_the_image(sim: Sim) -> None:
    sim.api.create(pod("first", nodeName="node-1"))
    sim.run(10)
    sim.api.create(pod("second", nodeName="node-1"))
    sim.run(10)
    assert sim.events("Pulling", "second") == ['Pulling image "luksa/kubia"']
    (pulled,) = sim.events("Pulled", "second")
    assert pulled.startswith('Successfully pulled image "luksa/kubia" in 500ms (500ms including')


def test_after_a_gap_in_the_changes_it_was_handed_the_kubelet_reads_pods_afresh(sim: Sim) -> None:
    """A sync takes the pod from the change that queued it; when changes were missed (the
    manager hands an empty span past them) what it holds may be stale and is dropped."""
    kubelet = Kubelet(sim.api)
    followed = frozenset(kubelet.follows())
    created = sim.api.create(pod(nodeName="node-1"))
    key, revision = ObjectKey.of(created), int(created["metadata"]["resourceVersion"])
    change = WatchEvent(ChangeType.ADDED, revision, key, created)
    kubelet.observe(Changes(revision - 1, revision, followed, [change]))
    sim.api.delete(key, grace_period=0)
    now = sim.store.revision()
    kubelet.observe(Changes(now, now, followed, ()))
    assert kubelet.reconcile(key) == DONE  # the stale pod would be started, its status refused
    assert sim.events() == []
