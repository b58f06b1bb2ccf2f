"""Health as Argo CD assesses it, for the kinds the folder declares."""

from __future__ import annotations

from typing import Any

from reconciler.runtime.health import Health, HealthStatus, health_of, worst


def rc(*, replicas: int, ready: int, generation: int = 1, observed: int = 1) -> dict[str, Any]:
    return {
        "kind": "ReplicationController",
        "metadata": {"name": "kubia", "generation": generation},
        "spec": {"replicas": replicas},
        "status": {"replicas": replicas, "readyReplicas": ready, "observedGeneration": observed},
    }


def pod(phase: str, *, ready: bool = False, waiting: str | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {"waiting": {"reason": waiting}} if waiting else {"running": {}}
    return {
        "kind": "Pod",
        "metadata": {"name": "kubia-abcde"},
        "spec": {"restartPolicy": "Always"},
        "status": {
            "phase": phase,
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
            "containerStatuses": [{"name": "kubia", "state": state}],
        },
    }


def test_a_missing_object_is_missing() -> None:
    assert health_of(None).status is Health.MISSING


def test_a_replication_controller_is_progressing_until_its_replicas_are_ready() -> None:
    progressing = health_of(rc(replicas=5, ready=3))

    assert progressing.status is Health.PROGRESSING
    assert "3 out of 5" in progressing.message
    assert health_of(rc(replicas=5, ready=5)).status is Health.HEALTHY


def test_a_replica_set_not_yet_observed_by_its_controller_is_progressing() -> None:
    replica_set = {**rc(replicas=1, ready=1, generation=2, observed=1), "kind": "ReplicaSet"}

    assert health_of(replica_set).status is Health.PROGRESSING


def test_a_pending_pod_is_progressing_and_a_ready_one_healthy() -> None:
    assert health_of(pod("Pending")).status is Health.PROGRESSING
    assert health_of(pod("Running")).status is Health.PROGRESSING
    assert health_of(pod("Running", ready=True)).status is Health.HEALTHY


def test_a_pod_in_back_off_or_failing_to_pull_is_degraded() -> None:
    assert health_of(pod("Running", waiting="CrashLoopBackOff")).status is Health.DEGRADED
    assert health_of(pod("Pending", waiting="ErrImagePull")).status is Health.DEGRADED
    assert health_of(pod("Pending", waiting="ContainerCreating")).status is Health.PROGRESSING


def test_a_load_balancer_is_progressing_until_it_has_an_ingress_ip() -> None:
    service: dict[str, Any] = {
        "kind": "Service",
        "spec": {"type": "LoadBalancer"},
        "status": {"loadBalancer": {}},
    }
    assert health_of(service).status is Health.PROGRESSING

    service["status"]["loadBalancer"]["ingress"] = [{"ip": "172.18.255.1"}]
    assert health_of(service).status is Health.HEALTHY


def test_a_cluster_ip_service_is_healthy_at_once() -> None:
    service = {"kind": "Service", "spec": {"type": "ClusterIP"}, "status": {"loadBalancer": {}}}

    assert health_of(service).status is Health.HEALTHY


def test_a_deployment_waits_for_updated_and_available_replicas() -> None:
    deployment: dict[str, Any] = {
        "kind": "Deployment",
        "metadata": {"name": "kubia", "generation": 2},
        "spec": {"replicas": 3},
        "status": {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3},
    }
    assert health_of(deployment).status is Health.PROGRESSING

    deployment["status"]["availableReplicas"] = 3
    assert health_of(deployment).status is Health.HEALTHY


def test_a_deployment_is_suspended_when_paused_and_degraded_past_its_deadline() -> None:
    deployment: dict[str, Any] = {
        "kind": "Deployment",
        "metadata": {"name": "kubia", "generation": 3},
        "spec": {"replicas": 3},
        "status": {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3},
    }
    waiting = health_of(deployment)
    assert waiting.status is Health.PROGRESSING
    assert waiting.message == (
        "Waiting for rollout to finish: observed deployment generation less than desired generation"
    )
    deployment["spec"]["paused"] = True
    assert health_of(deployment) == HealthStatus(Health.SUSPENDED, "Deployment is paused")
    deployment["spec"]["paused"] = False
    deployment["status"]["observedGeneration"] = 3
    deployment["status"]["conditions"] = [
        {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}
    ]
    assert health_of(deployment) == HealthStatus(
        Health.DEGRADED, 'Deployment "kubia" exceeded its progress deadline'
    )


def test_the_health_of_a_set_is_its_worst_member() -> None:
    assert worst([Health.HEALTHY, Health.PROGRESSING, Health.DEGRADED]) is Health.DEGRADED
    assert worst([Health.HEALTHY, Health.MISSING]) is Health.MISSING
    assert worst([]) is Health.HEALTHY
