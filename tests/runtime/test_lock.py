"""One daemon per state folder: the second refuses, a dead holder blocks nobody."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.errors import StoreError
from reconciler.runtime.lock import DaemonLock

HOLD = """
import sys, time
from pathlib import Path
from reconciler.runtime.lock import DaemonLock
lock = DaemonLock(Path(sys.argv[1]), folder=Path("/srv/manifests"))
lock.acquire()
print("held", flush=True)
sys.stdin.read()
"""


def test_a_second_holder_is_refused_with_the_first_ones_pid_and_folder(tmp_path: Path) -> None:
    with (
        DaemonLock(tmp_path, folder=Path("/srv/manifests")),
        pytest.raises(StoreError) as refused,
    ):
        DaemonLock(tmp_path, folder=Path("/other")).acquire()

    assert "another reconciler watch (pid " in str(refused.value)
    assert "watching /srv/manifests" in str(refused.value)
    assert str(tmp_path) in str(refused.value)


def test_a_released_lock_can_be_taken_again(tmp_path: Path) -> None:
    with DaemonLock(tmp_path, folder=tmp_path):
        pass

    with DaemonLock(tmp_path, folder=tmp_path):
        pass


def test_a_killed_holder_leaves_the_lock_free(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(StoreError):
            DaemonLock(tmp_path, folder=tmp_path).acquire()
    finally:
        holder.kill()
        holder.wait()

    with DaemonLock(tmp_path, folder=tmp_path):
        pass
