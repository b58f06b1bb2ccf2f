"""The real `reconciler` process: errors are one line with exit 1, and Ctrl-C ends `get -w`
cleanly (exit 0, no traceback)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Arrange
from tests.cli.workloads import pod
from tests.processes import run_reconciler


def test_an_unknown_type_is_one_line_on_stderr_and_exit_1(instant_cluster: Path) -> None:
    result = run_reconciler("get", "foo", home=instant_cluster)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith('error: the server doesn\'t have a resource type "foo"')
    assert result.stderr.count("\n") == 1


def test_a_missing_object_is_kubectls_not_found_line(instant_cluster: Path) -> None:
    result = run_reconciler("describe", "pod", "ghost", home=instant_cluster)
    assert (result.returncode, result.stderr) == (
        1,
        'Error from server (NotFound): pods "ghost" not found\n',
    )


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT semantics differ on Windows")
def test_ctrl_c_ends_a_watch_cleanly(arrange: Arrange, instant_cluster: Path) -> None:
    arrange(pod("web"))
    env = {**os.environ, "RECONCILER_HOME": str(instant_cluster)}
    watch = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "get", "pods", "-w"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert watch.stdout is not None
    header = watch.stdout.readline()  # blocks until the listing is out, so the watch has begun
    first = watch.stdout.readline()
    watch.send_signal(signal.SIGINT)
    _out, err = watch.communicate(timeout=30)
    assert header.split()[:3] == ["NAME", "READY", "STATUS"]
    assert first.split()[0] == "web"
    assert watch.returncode == 0, err
    assert "Traceback" not in err
