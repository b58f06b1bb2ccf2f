"""The runtime's per-pod record: stored in the JSON format earlier versions wrote, so a cluster
kept by one version of reconciler loads in the next."""

from __future__ import annotations

import json
from dataclasses import fields

from reconciler.cluster.containers import ContainerState, PodRuntime, Probe, Step

STORED = (
    '{"uid":"u","node":"node-1","ip":"10.244.0.5","started":3.5,"containers":{"kubia":'
    '{"step":"Running","due":1.0,"image_name":"docker.io/luksa/kubia:latest","image_id":"",'
    '"container_id":"","reason":"","message":"","pull_started":0.0,"pull_seconds":0.0,'
    '"pull_failed_at":null,"pull_backoff":0.0,"started_at":null,"finished_at":null,'
    '"exit_code":null,"restarts":0,"backoff":0.0,"backoff_updated":null,"requests":0,'
    '"ready":false,"probes":{"liveness":{"next":2.0,"successes":1,"failures":2,'
    '"quiet_period":0.5}},"last_state":{"terminated":{"exitCode":1}}}}}'
)


def record() -> PodRuntime:
    container = ContainerState(
        step=Step.RUNNING,
        due=1.0,
        image_name="docker.io/luksa/kubia:latest",
        probes={"liveness": Probe(2.0, successes=1, failures=2, quiet_period=0.5)},
        last_state={"terminated": {"exitCode": 1}},
    )
    return PodRuntime("u", "node-1", "10.244.0.5", 3.5, {"kubia": container})


def test_a_record_is_written_exactly_as_earlier_versions_wrote_it() -> None:
    assert record().to_json() == STORED


def test_a_stored_record_loads_back_to_the_same_record() -> None:
    assert PodRuntime.from_json(STORED) == record()


def test_every_field_of_a_record_is_written() -> None:
    data = json.loads(record().to_json())
    container = data["containers"]["kubia"]
    assert set(data) == {f.name for f in fields(PodRuntime)}
    assert set(container) == {f.name for f in fields(ContainerState)}
    assert set(container["probes"]["liveness"]) == {f.name for f in fields(Probe)}
