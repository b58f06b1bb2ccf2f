"""Events: recorded whole with the server's metadata, repeats folded into one counted Event."""

from __future__ import annotations

import random

from reconciler.api.events import EventRecorder, EventType
from reconciler.api.server import Api
from reconciler.clock import VirtualClock, rfc3339
from reconciler.store.memory import MemoryStore

START = 1_700_000_000.0


def test_a_repeated_event_is_one_event_whose_count_grows() -> None:
    clock = VirtualClock(START)
    api = Api(MemoryStore(), clock, rng=random.Random(5))
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    pod = api.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "kubia"},
            "spec": {"containers": [{"name": "kubia", "image": "luksa/kubia"}]},
        }
    )
    recorder = EventRecorder(api, "kubelet", host="node-1")
    first = recorder.record(pod, EventType.NORMAL, "Pulling", 'Pulling image "luksa/kubia"')
    clock.advance(5)
    again = recorder.record(pod, EventType.NORMAL, "Pulling", 'Pulling image "luksa/kubia"')
    meta = first["metadata"]
    assert set(meta) == {"name", "namespace", "uid", "creationTimestamp", "resourceVersion"}
    assert meta["name"].startswith("kubia.") and meta["namespace"] == "default"
    assert meta["creationTimestamp"] == first["firstTimestamp"] == rfc3339(START)
    assert first["involvedObject"]["uid"] == pod["metadata"]["uid"]
    assert first["source"] == {"component": "kubelet", "host": "node-1"}
    assert [e["count"] for e in api.list("Event", "default")] == [2]
    assert again["metadata"]["uid"] == meta["uid"]
    assert again["lastTimestamp"] == rfc3339(START + 5)
    assert again["firstTimestamp"] == rfc3339(START)
