"""Parsing on forked workers gives what parsing in this process gives, in the same order, and
is used only when there are enough files to pay for it."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from pathlib import Path

import pytest

from reconciler.source.parallel import MIN_FILES, parse_all, workers_available
from reconciler.source.validate import Report, validate_paths

RC = """\
apiVersion: v1
kind: ReplicationController
metadata:
  name: app-{index}
spec:
  replicas: {replicas}
  template:
    metadata:
      labels:
        app: app-{index}
    spec:
      containers:
      - name: app
        image: luksa/kubia
"""

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="workers are forked on Linux only"
)


def with_pid(item: int) -> tuple[int, int]:
    return item, os.getpid()


@linux_only
def test_many_items_are_parsed_in_forked_workers_and_come_back_in_order() -> None:
    items = list(range(MIN_FILES * 2))
    results = parse_all(items, with_pid, workers=2)
    assert [item for item, _ in results] == items
    assert os.getpid() not in {pid for _, pid in results}


STOPPING = {signal.SIGINT, signal.SIGTERM}


def signals_seen(item: int) -> tuple[bool, bool, bool]:
    """Whether SIGTERM kills this process, SIGINT is ignored, and neither is held back."""
    return (
        signal.getsignal(signal.SIGTERM) == signal.SIG_DFL,
        signal.getsignal(signal.SIGINT) == signal.SIG_IGN,
        not signal.pthread_sigmask(signal.SIG_BLOCK, []) & STOPPING,
    )


@linux_only
def test_workers_die_on_sigterm_whatever_handler_they_were_forked_with() -> None:
    """The daemon's handler only asks for a stop: a worker that kept it outlived the SIGTERM
    that ends the pool while it waited for the queue's lock, and the daemon waited for it."""

    def stop_later(number: int, frame: object) -> None:
        pass

    previous = signal.signal(signal.SIGTERM, stop_later)
    try:
        results = parse_all(list(range(MIN_FILES * 2)), signals_seen, workers=2)
        assert set(results) == {(True, True, True)}
        assert signal.getsignal(signal.SIGTERM) is stop_later  # this process keeps its own
        assert not signal.pthread_sigmask(signal.SIG_BLOCK, []) & STOPPING
        assert multiprocessing.active_children() == []
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_few_items_are_parsed_in_this_process() -> None:
    results = parse_all([1, 2, 3], with_pid, workers=2)
    assert results == [(1, os.getpid()), (2, os.getpid()), (3, os.getpid())]


def test_one_worker_means_this_process() -> None:
    items = list(range(MIN_FILES * 2))
    assert {pid for _, pid in parse_all(items, with_pid, workers=1)} == {os.getpid()}


def test_a_process_with_another_thread_parses_in_itself() -> None:
    """Fork would copy this thread alone, and any lock the other one held stays locked."""
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        items = list(range(MIN_FILES * 2))
        assert {pid for _, pid in parse_all(items, with_pid, workers=2)} == {os.getpid()}
    finally:
        release.set()
        other.join()


def summary(report: Report) -> list[tuple[str, int, object]]:
    return [(d.path, d.index, d.obj) for d in report.documents]


@linux_only
def test_a_big_folder_validates_the_same_on_two_workers(tmp_path: Path) -> None:
    for index in range(MIN_FILES + 50):
        replicas = "three" if index % 100 == 7 else "3"  # a mistake in a few files
        (tmp_path / f"app-{index:04}.yaml").write_text(RC.format(index=index, replicas=replicas))
    alone = validate_paths([str(tmp_path)], workers=1)
    shared = validate_paths([str(tmp_path)], workers=2)
    assert summary(shared) == summary(alone)
    assert shared.diagnostics == alone.diagnostics
    assert [str(d).split(": ")[0] for d in shared.diagnostics] == [
        f"{tmp_path}/app-{index:04}.yaml:6:13" for index in (7, 107, 207)
    ]


def test_workers_available_counts_the_usable_cores() -> None:
    assert 1 <= workers_available() <= (os.cpu_count() or 1)
