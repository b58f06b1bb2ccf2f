"""`apply --wait` helpers: kubectl durations and per-object progress."""

from __future__ import annotations

import pytest

from reconciler.cli.waiting import format_duration, parse_duration, progress_of
from reconciler.errors import UsageError
from reconciler.model.keys import ObjectKey


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("5m", 300.0), ("30s", 30.0), ("1h30m", 5400.0), ("0", 0.0), ("250ms", 0.25), ("2", 2.0)],
)
def test_durations_are_read_as_kubectl_reads_them(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5 minutes", "m5", "5x"])
def test_a_malformed_duration_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="invalid duration"):
        parse_duration(text)


def test_durations_print_as_go_prints_them() -> None:
    assert [format_duration(s) for s in (300, 30, 3600, 5400)] == [
        "5m0s",
        "30s",
        "1h0m0s",
        "1h30m0s",
    ]


def test_a_workload_shows_ready_over_desired_and_is_ready_when_all_are() -> None:
    key = ObjectKey("ReplicationController", "default", "kubia")
    rc = {
        "kind": "ReplicationController",
        "metadata": {"name": "kubia", "generation": 1},
        "spec": {"replicas": 3},
        "status": {"replicas": 3, "readyReplicas": 2, "observedGeneration": 1},
    }
    waiting = progress_of(key, rc)
    assert (waiting.shown, waiting.ready) == ("2/3", False)
    rc["status"]["readyReplicas"] = 3
    assert progress_of(key, rc).ready


def test_a_load_balancer_waits_for_its_external_ip() -> None:
    key = ObjectKey("Service", "default", "kubia-http")
    svc = {"kind": "Service", "metadata": {"name": "kubia-http"}, "spec": {"type": "LoadBalancer"}}
    assert (progress_of(key, svc).shown, progress_of(key, svc).ready) == ("<pending>", False)
    svc["status"] = {"loadBalancer": {"ingress": [{"ip": "172.18.255.201"}]}}
    assert (progress_of(key, svc).shown, progress_of(key, svc).ready) == ("172.18.255.201", True)


def test_a_missing_object_is_not_ready() -> None:
    key = ObjectKey("Pod", "default", "gone")
    assert not progress_of(key, None).ready
