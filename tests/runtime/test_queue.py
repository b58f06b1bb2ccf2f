"""The work queue de-duplicates keys and backs off failures."""

from __future__ import annotations

from reconciler.model.keys import ObjectKey
from reconciler.runtime.queue import MAX_DELAY, WorkQueue

A = ("rc", ObjectKey("ReplicationController", "default", "a"))
B = ("rc", ObjectKey("ReplicationController", "default", "b"))


def test_a_key_queued_twice_runs_once_in_first_arrival_order() -> None:
    queue = WorkQueue()
    for item in (A, B, A):
        queue.add(item)
    assert [queue.pop(), queue.pop(), queue.pop()] == [A, B, None]


def test_failures_double_the_delay_up_to_the_cap_and_success_resets_it() -> None:
    queue = WorkQueue()
    delays = [queue.failed(A) for _ in range(4)]
    assert delays == [0.005, 0.01, 0.02, 0.04]
    assert max(queue.failed(A) for _ in range(40)) == MAX_DELAY
    queue.forget(A)
    assert queue.failed(A) == 0.005
