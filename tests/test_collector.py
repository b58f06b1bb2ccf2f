"""Pausing the cyclic collector: nothing collected inside, nothing left to walk at once after,
and nothing frozen for good handed back."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from reconciler import collector
from reconciler.collector import collector_paused, freeze_for_good


@pytest.fixture
def collecting(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The collector running and nothing frozen for good, as in a new process."""
    monkeypatch.setattr(collector, "_frozen_for_good", False)
    enabled = gc.isenabled()
    gc.enable()
    yield
    if not enabled:
        gc.disable()


def _in_generation(obj: object, generation: int) -> bool:
    return any(found is obj for found in gc.get_objects(generation=generation))


def test_what_a_pause_leaves_goes_to_the_oldest_generation_unwalked(collecting: None) -> None:
    runs: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            runs.append(info["generation"])

    gc.callbacks.append(count)
    try:
        with collector_paused():
            assert not gc.isenabled()
            kept = [[index] for index in range(20_000)]
        assert runs == []
        assert gc.isenabled()
        assert gc.get_count()[0] < 100  # no backlog for the next allocation to collect
    finally:
        gc.callbacks.remove(count)
    assert _in_generation(kept[-1], 2)


def test_a_cycle_left_by_a_pause_is_freed_by_the_next_full_collection(collecting: None) -> None:
    with collector_paused():
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
    assert gc.collect() >= 1


def test_nesting_resumes_only_at_the_outermost(collecting: None) -> None:
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_objects_frozen_for_good_stay_frozen(collecting: None) -> None:
    freeze_for_good()
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            young = [[index] for index in range(1_000)]
        assert gc.get_freeze_count() == frozen
        assert not _in_generation(young[0], 2)  # left to the young generations, as before
    finally:
        gc.unfreeze()  # this test's process lives on
