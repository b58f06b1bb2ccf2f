"""Waiting on a condition with a deadline, for the tests that watch real processes, threads or
filesystem events: they poll, never sleep for a fixed time. Import as `tests.waiting`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

POLL = 0.01
DEADLINE = 20.0
"""Long enough for a real process on a loaded CI machine; a passing test never waits it out."""


def wait_for(condition: Callable[[], T], *, what: str, deadline: float = DEADLINE) -> T:
    """Poll `condition` until it returns something truthy, and return that; fail the test
    when `deadline` seconds pass first."""
    end = time.monotonic() + deadline
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(POLL)
