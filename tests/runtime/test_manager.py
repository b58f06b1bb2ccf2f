"""The manager runs controllers on changes and on timers, stepping simulated time."""

from __future__ import annotations

import random
from collections.abc import Mapping

from reconciler.api.server import Api
from reconciler.clock import VirtualClock
from reconciler.cluster.reconcile import DONE, KeyMapper, Result, itself
from reconciler.errors import Conflict
from reconciler.model.keys import ObjectKey
from reconciler.runtime.manager import Manager
from reconciler.store.memory import MemoryStore

NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}}


class Starter:
    """A toy kubelet: a pending pod becomes Running two seconds after it was first seen."""

    name = "starter"

    def __init__(self, api: Api) -> None:
        self.api = api
        self.calls: list[tuple[float, ObjectKey]] = []

    def watches(self) -> Mapping[str, KeyMapper]:
        return {"Pod": itself}

    def reconcile(self, key: ObjectKey) -> Result:
        self.calls.append((self.api.clock.now(), key))
        pod = self.api.find(key)
        if pod is None or pod["status"].get("phase") == "Running":
            return DONE
        status = pod["status"]
        if "seenAt" not in status:
            status["seenAt"] = self.api.clock.now()
            self.api.update_status(pod)
            return Result(requeue_after=2)
        if self.api.clock.now() >= status["seenAt"] + 2:
            status["phase"] = "Running"
            status["runningSince"] = self.api.clock.now()
            self.api.update_status(pod)
            return DONE
        return Result(requeue_after=status["seenAt"] + 2 - self.api.clock.now())


def make(start: float = 1000.0) -> tuple[MemoryStore, VirtualClock, Api]:
    store = MemoryStore()
    clock = VirtualClock(start)
    api = Api(store, clock, rng=random.Random(7))
    api.create(NAMESPACE)
    return store, clock, api


def pod(name: str) -> dict[str, object]:
    return {"kind": "Pod", "metadata": {"name": name}, "spec": {"containers": []}}


def test_a_timer_fires_at_its_simulated_instant_not_at_the_target_time() -> None:
    store, clock, api = make()
    starter = Starter(api)
    manager = Manager(store, clock, [starter])
    api.create(pod("a"))
    manager.advance(1000.0)
    manager.advance(1060.0)
    status = api.get(ObjectKey("Pod", "default", "a"))["status"]
    assert status["phase"] == "Running"
    assert status["runningSince"] == 1002.0
    assert clock.now() == 1060.0


def test_advancing_with_nothing_due_runs_no_controller() -> None:
    store, clock, api = make()
    starter = Starter(api)
    manager = Manager(store, clock, [starter])
    api.create(pod("a"))
    manager.advance(1010.0)
    calls, revision = len(starter.calls), store.revision()
    manager.advance(5000.0)
    assert len(starter.calls) == calls
    assert store.revision() == revision


def test_a_second_manager_on_the_same_store_continues_from_the_checkpoint() -> None:
    store, clock, api = make()
    first = Manager(store, clock, [Starter(api)])
    api.create(pod("a"))
    first.advance(1000.5)
    later_clock = VirtualClock(1000.0)
    later_api = Api(store, later_clock, rng=random.Random(1))
    second_starter = Starter(later_api)
    Manager(store, later_clock, [second_starter]).advance(1003.0)
    assert later_api.get(ObjectKey("Pod", "default", "a"))["status"]["phase"] == "Running"
    assert {when for when, _ in second_starter.calls} == {1002.0}


class Flaky:
    """Fails with a conflict twice, then succeeds: retries must back off in simulated time."""

    name = "flaky"

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.attempts: list[float] = []

    def watches(self) -> Mapping[str, KeyMapper]:
        return {"Pod": itself}

    def reconcile(self, key: ObjectKey) -> Result:
        self.attempts.append(self.clock.now())
        if len(self.attempts) < 3:
            raise Conflict("try again")
        return DONE


def test_a_failing_reconcile_is_retried_with_exponential_back_off() -> None:
    store, clock, api = make()
    flaky = Flaky(clock)
    manager = Manager(store, clock, [flaky])
    api.create(pod("a"))
    manager.advance(1001.0)
    assert [round(t - 1000.0, 3) for t in flaky.attempts] == [0.0, 0.005, 0.015]


def test_resync_queues_every_watched_object() -> None:
    store, clock, api = make()
    starter = Starter(api)
    manager = Manager(store, clock, [starter])
    api.create(pod("a"))
    api.create(pod("b"))
    manager.advance(1010.0)
    starter.calls.clear()
    manager.resync()
    assert sorted(key.name for _, key in starter.calls) == ["a", "b"]
