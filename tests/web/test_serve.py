"""`reconciler dashboard` as a user runs it: a real process that prints its link, serves the
page, the API and a stream, keeps the cluster moving, and stops at once on Ctrl-C even with a
stream open; a port in use is one line of error."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

DEADLINE = 30.0


def start(home: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", *args],
        env={**os.environ, "RECONCILER_HOME": str(home)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def dashboard(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`reconciler dashboard --port 0` on an instant cluster, and the link it printed."""
    created = subprocess.run(
        [sys.executable, "-m", "reconciler", "cluster", "create", "--timing", "instant"],
        env={**os.environ, "RECONCILER_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=True,
    )
    assert created.returncode == 0
    process = start(tmp_path, "dashboard", "--port", "0")
    assert process.stdout is not None
    first = process.stdout.readline()  # blocks until the server is bound (or the process died)
    assert first.startswith("Serving the dashboard on http://127.0.0.1:"), first + (
        process.stderr.read() if process.stderr else ""
    )
    yield process, first.split(" on ", 1)[1].strip()
    if process.poll() is None:
        process.kill()
    process.wait(timeout=DEADLINE)


def test_the_dashboard_command_serves_until_interrupted(
    dashboard: tuple[subprocess.Popen[str], str],
) -> None:
    process, link = dashboard
    with httpx.Client(base_url=link, timeout=DEADLINE) as client:
        nodes = client.get("/api/v1/nodes").json()
        page = client.get("/")
        with client.stream("GET", "/reconciler/v1/stream") as stream:
            lines = stream.iter_lines()
            assert next(lines) == "retry: 1000"
            process.send_signal(signal.SIGINT)  # with a stream open: it must not hold the exit
            rest = list(lines)

    assert [n["metadata"]["name"] for n in nodes["items"]] == ["node-1", "node-2", "node-3"]
    assert page.status_code == 200
    assert any(line == "event: reset" for line in rest)
    assert process.wait(timeout=DEADLINE) == 0


def test_a_port_in_use_is_one_line_of_error(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        process = start(tmp_path, "dashboard", "--port", str(port))
        _, errors = process.communicate(timeout=DEADLINE)

    assert process.returncode == 1
    assert errors.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(choose another --port or --address)"
    ]
