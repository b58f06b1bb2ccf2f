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


def test_a_command_that_opened_the_cluster_ends_at_once_with_its_output_whole(
    arrange: Arrange, instant_cluster: Path
) -> None:
    """Such a command leaves its cluster unfreed and ends with os._exit (cli/exiting.py): what
    it printed and wrote is all there, and its exit code is its own."""
    arrange(*(pod(f"web-{n}") for n in range(30)))
    listed = run_reconciler("get", "pods", "-o", "name", home=instant_cluster)
    assert (listed.returncode, listed.stderr) == (0, "")
    assert listed.stdout.splitlines() == [f"pod/web-{n}" for n in sorted(range(30), key=str)]
    labelled = run_reconciler("label", "pod", "web-1", "tier=front", home=instant_cluster)
    assert (labelled.returncode, labelled.stdout) == (0, "pod/web-1 labeled\n")
    shown = run_reconciler("get", "pods", "-l", "tier=front", "-o", "name", home=instant_cluster)
    assert shown.stdout == "pod/web-1\n"


def test_ending_at_once_flushes_output_and_keeps_the_exit_code() -> None:
    script = (
        "import sys; from reconciler.cli import exiting\n"
        "print('out', end=''); print('err', end='', file=sys.stderr)\n"
        "exiting.exit_at_once(int(sys.argv[1]) if sys.argv[1].isdigit() else sys.argv[1])\n"
    )
    for code, expected in (("0", 0), ("3", 3), ("no such file", 1)):
        ended = subprocess.run(
            [sys.executable, "-c", script, code], capture_output=True, text=True, check=False
        )
        assert ended.returncode == expected
        assert ended.stdout == "out"
        said = "" if code.isdigit() else f"{code}\n"  # a text code is printed, as sys.exit does
        assert ended.stderr == "err" + said
