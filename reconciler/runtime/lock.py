"""The daemon lock: one `reconciler watch` per state folder.

Two daemons converging the same cluster would fight over it (each pruning what the other
applied), so `runtime/daemon.py` takes an exclusive `fcntl.flock` on a file in the state folder
before it touches the store, and a second daemon refuses to start with a message naming the
first. The kernel drops the lock when its holder dies, even by SIGKILL, so a crashed daemon
never blocks the next one. CLI commands do not take it: they may run beside the daemon.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from types import TracebackType

from reconciler.errors import StoreError

LOCK_NAME = "daemon.lock"


class DaemonLock:
    """An exclusive, non-blocking lock on `<state folder>/daemon.lock`, held while open.

    The file keeps the holder's pid and folder, so that the refusal can say who holds it."""

    def __init__(self, state_folder: Path, *, folder: Path) -> None:
        self.path = state_folder / LOCK_NAME
        self._folder = folder
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise StoreError naming the daemon that holds it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StoreError(
                f"cannot create the daemon lock {self.path}: {error.strerror}"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _describe(fd)
            os.close(fd)
            raise StoreError(
                f"another reconciler watch{holder} is already running on the state folder "
                f"{self.path.parent}; stop it first, or set RECONCILER_HOME to another folder"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "folder": str(self._folder)}).encode())
        self._fd = fd

    def release(self) -> None:
        """Let go of the lock (the file stays: removing it would race a new holder)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def __enter__(self) -> DaemonLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.release()


def _describe(fd: int) -> str:
    """` (pid 123, watching /x)` from the holder's note, or nothing when it is unreadable."""
    try:
        note = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f" (pid {int(note['pid'])}, watching {note['folder']})"
    except (OSError, ValueError, KeyError, TypeError):
        return ""
