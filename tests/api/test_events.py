"""Events: recorded whole with the server's metadata, repeats folded into one counted Event."""

from __future__ import annotations

import random
from contextlib import closing
from pathlib import Path

from reconciler.api.events import EventRecorder, EventType
from reconciler.api.server import Api
from reconciler.clock import VirtualClock, rfc3339
from reconciler.model.keys import Obj
from reconciler.store.memory import MemoryStore
from reconciler.store.sqlite import SqliteStore

START = 1_700_000_000.0


def create_kubia_pod(api: Api) -> Obj:
    """The default namespace and a kubia pod in it, as stored."""
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}})
    return api.create(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "kubia"},
            "spec": {"containers": [{"name": "kubia", "image": "luksa/kubia"}]},
        }
    )


def test_a_repeated_event_is_one_event_whose_count_grows() -> None:
    clock = VirtualClock(START)
    api = Api(MemoryStore(), clock, rng=random.Random(5))
    pod = create_kubia_pod(api)
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


def test_repeats_are_counted_across_transactions_and_processes_of_one_sqlite_file(
    tmp_path: Path,
) -> None:
    """Each opening of the file stands for another process: its recorder knows nothing of the
    Events already stored, and finds them all the same."""
    clock = VirtualClock(START)
    pod: Obj = {}
    counts = []
    for opening in range(3):
        with closing(SqliteStore(tmp_path / "state.db")) as store:
            api = Api(store, clock, rng=random.Random(opening))
            if opening == 0:
                pod = create_kubia_pod(api)
            recorder = EventRecorder(api, "kubelet", host="node-1")
            with store.transaction():
                recorder.record(pod, EventType.WARNING, "BackOff", "Back-off restarting")
            recorder.record(pod, EventType.WARNING, "BackOff", "Back-off restarting")
            recorder.record(pod, EventType.NORMAL, "Started", "Started container kubia")
            clock.advance(10)
            counts.append(
                sorted((e["reason"], e["count"], e["lastTimestamp"]) for e in api.list("Event"))
            )
    assert counts[-1] == [
        ("BackOff", 6, rfc3339(START + 20)),
        ("Started", 3, rfc3339(START + 20)),
    ]
    assert [len(c) for c in counts] == [2, 2, 2]


def test_similar_events_about_one_object_are_combined_from_the_tenth_on() -> None:
    """What `kubectl describe rc` shows after an RC created 12 pods: nine `Created pod` Events,
    then one combined Event counting the other three and telling the latest."""
    clock = VirtualClock(START)
    api = Api(MemoryStore(), clock, rng=random.Random(5))
    owner = create_kubia_pod(api)
    recorder = EventRecorder(api, "replication-controller")
    for n in range(12):
        recorder.record(owner, EventType.NORMAL, "SuccessfulCreate", f"Created pod: kubia-{n}")
        clock.advance(1)
    events = sorted(api.list("Event", "default"), key=lambda e: e["firstTimestamp"])
    assert [(e["message"], e["count"]) for e in events] == [
        *((f"Created pod: kubia-{n}", 1) for n in range(9)),
        ("(combined from similar events): Created pod: kubia-11", 3),
    ]
    combined = events[-1]
    assert combined["firstTimestamp"] == rfc3339(START + 9)
    assert combined["lastTimestamp"] == rfc3339(START + 11)
    # client-go's aggregate keeps the source but names no reporting controller or instance
    assert combined["source"] == {"component": "replication-controller"}
    assert (combined["reportingComponent"], combined["reportingInstance"]) == ("", "")
    assert events[0]["reportingComponent"] == "replication-controller"


def test_a_source_spamming_an_object_is_throttled_and_its_dropped_repeats_counted_later() -> None:
    """25 writes about one object at once, then one every 5 minutes; what was dropped meanwhile
    still counts, so the count tells how often it happened, as client-go's does."""
    clock = VirtualClock(START)
    api = Api(MemoryStore(), clock, rng=random.Random(5))
    pod = create_kubia_pod(api)
    recorder = EventRecorder(api, "kubelet", host="node-1")
    written = [
        recorder.record(pod, EventType.WARNING, "BackOff", "Back-off restarting") for _ in range(30)
    ]
    assert sum(e is not None for e in written) == 25
    (backoff,) = api.list("Event", "default")
    assert backoff["count"] == 25
    clock.advance(300)
    again = recorder.record(pod, EventType.WARNING, "BackOff", "Back-off restarting")
    assert again is not None and again["count"] == 31
    assert again["lastTimestamp"] == rfc3339(START + 300)
