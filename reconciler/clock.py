"""The only reader of wall time.

The simulation never calls `time.time()`; it asks a `Clock`. The daemon and the CLI use
`RealClock`; tests and benchmarks use `VirtualClock`, which moves only when told to, so nothing
ever sleeps to let time pass. Times are POSIX seconds as floats.
"""

from __future__ import annotations

import functools
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Anything that can say what time it is."""

    def now(self) -> float: ...


class RealClock:
    """Wall time, for the daemon and one-shot CLI commands."""

    def now(self) -> float:
        return time.time()


class VirtualClock:
    """Time that only moves when a test or the simulation moves it."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        """Move forward by `seconds` and return the new time."""
        if seconds < 0:
            raise ValueError("a clock never goes back")
        self._now += seconds
        return self._now

    def set(self, when: float) -> None:
        """Jump to `when`; a virtual clock may only move forward."""
        if when < self._now:
            raise ValueError("a clock never goes back")
        self._now = when


def monotonic() -> float:
    """Elapsed-time source for measuring durations (sync took 12 ms), never for simulated time."""
    return time.monotonic()


def rfc3339(when: float) -> str:
    """Kubernetes' timestamp format: `2024-05-01T12:00:00Z` (whole seconds, UTC)."""
    return _rfc3339_seconds(int(when))


@functools.lru_cache(maxsize=4096)
def _rfc3339_seconds(seconds: int) -> str:
    """Cached: a simulation stamps thousands of objects within the same second, and strftime
    showed up at about 3 % of a cold apply's time."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> float:
    """Inverse of `rfc3339`; accepts fractional seconds too (`…:00.123456Z`)."""
    value = text.replace("Z", "+00:00")
    return datetime.fromisoformat(value).timestamp()
