"""Parsing many files on every core, for a cold `validate` or `apply` of a big folder.

The loader and the schema checks are pure Python: one process parses and checks about 3,000
documents a second, and a folder of 10,000 manifests met for the first time spends most of its
load there. `SourceCache` hands its cache misses to `parse_all`, which splits them between forked
workers when there are enough to pay for the fork (`MIN_FILES`): forked workers inherit the
imported modules and the parse function, so they start in milliseconds and receive nothing but
the index of their slice. Fork is used only on Linux, where it is the cheap and safe start method,
and only while the process has no thread but the one forking (fork copies that one alone, and a
lock another thread held would stay locked in the workers: the daemon forks before its watcher
and store threads start); otherwise the files are parsed in this process, with the same results
in the same order.

A worker dies on SIGTERM and ignores SIGINT, whatever handlers it was forked with: the pool
ends by terminating workers still waiting for its queue's lock, which the pool keeps, and a
worker with the daemon's handler (which only asks for a stop after the step in flight) waited
for that lock forever, and the daemon for it (one start in six on 1,000 files). Ctrl-C is the
parent's to handle. The signals are held from the fork until a worker has set its own.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_FILES = 200
"""Below this many files, forking and sending results back costs about what it saves."""

_STOPPING = {signal.SIGINT, signal.SIGTERM}

_job: tuple[Sequence[Any], Callable[[Any], Any]] | None = None
"""The items and the parse function of the `parse_all` in progress, which forked workers
inherit instead of receiving them."""


def workers_available() -> int:
    """How many workers a parse may use here: the cores this process may run on, if fork is
    the platform's start method to trust; otherwise 1 (parse in this process)."""
    if not sys.platform.startswith("linux"):
        return 1
    return len(os.sched_getaffinity(0))


def parse_all(
    items: Sequence[Item], parse: Callable[[Item], Result], *, workers: int
) -> list[Result]:
    """`[parse(item) for item in items]`, on up to `workers` forked processes when it pays and
    this process has one thread."""
    if workers < 2 or len(items) < MIN_FILES or threading.active_count() > 1:
        return [parse(item) for item in items]
    import multiprocessing  # here: a run with nothing to parse never needs it (~3 ms to import)

    global _job
    _job = (items, parse)
    try:
        slices = _slices(len(items), workers)
        with _stopping_held():
            pool = multiprocessing.get_context("fork").Pool(len(slices), initializer=_as_worker)
        with pool:
            parts: list[list[Result]] = pool.map(_parse_slice, slices)
    finally:
        _job = None
    return [result for part in parts for result in part]


@contextmanager
def _stopping_held() -> Iterator[None]:
    """SIGINT and SIGTERM held back (not lost) in this thread meanwhile: workers forked
    meanwhile start with them held, until `_as_worker`."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _as_worker() -> None:
    """In a new worker: die on SIGTERM, leave Ctrl-C to the parent, then take the signals."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)


def _slices(count: int, workers: int) -> list[tuple[int, int]]:
    size = -(-count // workers)
    return [(start, min(start + size, count)) for start in range(0, count, size)]


def _parse_slice(bounds: tuple[int, int]) -> list[Any]:
    """In a worker: parse one contiguous slice of the inherited items."""
    assert _job is not None, "parse_all sets the job before forking"
    items, parse = _job
    start, end = bounds
    return [parse(item) for item in items[start:end]]
