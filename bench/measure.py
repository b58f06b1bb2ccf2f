"""Running one measured command in a fresh process: wall time, peak RSS, output.

Every scenario runs `reconciler` (or a peer, or `python -m bench.probe`) as a child process of its
own, with `RECONCILER_HOME` pointing at the scenario's temporary state folder, and reaps it with
`os.wait4`, whose resource usage is that child's alone (`ru_maxrss`: its peak resident set, in
KiB on Linux), so scenarios never see each other's peaks. A child that outlives its time limit
is killed and reported as timed out, never waited for forever.
"""

from __future__ import annotations

import compileall
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import IO

KIB = 1024


@dataclass(frozen=True)
class Run:
    """One finished child process."""

    argv: tuple[str, ...]
    seconds: float
    peak_rss: int
    """Bytes."""
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def reconciler_command() -> list[str]:
    """How users start reconciler: the console script beside this Python, else `-m`."""
    script = Path(sys.executable).parent / "reconciler"
    if script.exists():
        return [str(script)]
    found = shutil.which("reconciler")
    return [found] if found else [sys.executable, "-m", "reconciler"]


def byte_compile() -> None:
    """Compile the package's modules once, as installing it does. From a source tree (an
    editable install) where PYTHONDONTWRITEBYTECODE is set, as on this project's machines,
    every child would otherwise compile every module it imports, which no installed copy and
    no second run on a user's machine does: 10-20 ms of each command's start-up."""
    import reconciler

    compileall.compile_dir(Path(reconciler.__file__).parent, quiet=1)


def environment(home: Path) -> dict[str, str]:
    """The environment of a child: the bench's own, with its state folder and no colours."""
    env = dict(os.environ)
    env["RECONCILER_HOME"] = str(home)
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "200"
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


class Child:
    """A started child whose output goes to temporary files (pipes could fill and block it)."""

    def __init__(
        self, argv: Sequence[str], *, env: dict[str, str], cwd: Path | None = None
    ) -> None:
        self.argv = tuple(argv)
        # Closed by `wait`, which reads them: the child may outlive this call by far.
        self._out: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self._err: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self.started = perf_counter()
        self._process = subprocess.Popen(
            self.argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=self._err,
        )
        self._killed = False

    @property
    def pid(self) -> int:
        return self._process.pid

    def signal(self, number: int) -> None:
        """Send a signal (SIGINT asks the daemon to stop)."""
        if self._process.returncode is None:
            self._process.send_signal(number)

    def exited(self) -> bool:
        """Whether the child has ended, without reaping it (`wait` still reports its usage)."""
        flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
        return os.waitid(os.P_PID, self._process.pid, flags) is not None

    def _kill(self) -> None:
        self._killed = True
        self.signal(signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> Run:
        """Reap the child (killing it after `timeout` seconds) and say what it cost."""
        timer = threading.Timer(timeout, self._kill) if timeout is not None else None
        if timer is not None:
            timer.start()
        try:
            _, status, usage = os.wait4(self._process.pid, 0)
        finally:
            if timer is not None:
                timer.cancel()
        seconds = perf_counter() - self.started
        self._process.returncode = os.waitstatus_to_exitcode(status)
        return Run(
            self.argv,
            seconds,
            usage.ru_maxrss * KIB,
            self._process.returncode,
            self._read(self._out),
            self._read(self._err),
            timed_out=self._killed,
        )

    @staticmethod
    def _read(handle: IO[bytes]) -> str:
        handle.seek(0)
        text = handle.read().decode(errors="replace")
        handle.close()
        return text


def run(
    argv: Sequence[str],
    *,
    env: dict[str, str],
    cwd: Path | None = None,
    timeout: float | None = None,
) -> Run:
    """Run a command to its end in a fresh process and measure it."""
    return Child(argv, env=env, cwd=cwd).wait(timeout)


def available(words: Sequence[str], *, env: dict[str, str]) -> bool:
    """Whether `reconciler WORDS --help` exists (a command others may not have landed yet)."""
    result = run([*reconciler_command(), *words, "--help"], env=env, timeout=60)
    return result.ok
