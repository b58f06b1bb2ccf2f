"""Ending the `reconciler` process without freeing the cluster a command used.

A command's cluster (its caches, informers and kubelets) is freed object by object when the
command returns: 2.3 s of a 150,000-pod apply, after its store was closed and its output printed.
The console script (cli/app.py `main`) asks for the cluster to be kept referenced instead, then
ends the process at once (`os._exit`): nothing in it needs finalizing, since the store is closed
and the output flushed. In-process callers (tests, CliRunner) never ask, so they free as usual.
Imports nothing heavy: `--version` loads it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn


class _Keeper:
    """Whether the console script asked to keep, and what was kept (a plain class: a dataclass
    costs `--version` half a millisecond to define)."""

    def __init__(self) -> None:
        self.asked = False
        self.kept: list[object] = []


_KEEPER = _Keeper()


def keep_until_exit() -> None:
    """From now on, `keep` holds what it is given until the process ends (the console script)."""
    _KEEPER.asked = True


def keep(value: object) -> None:
    """Hold `value` until the process ends, when `keep_until_exit` was asked for."""
    if _KEEPER.asked:
        _KEEPER.kept.append(value)


def anything_kept() -> bool:
    return bool(_KEEPER.kept)


def exit_at_once(code: object) -> NoReturn:
    """End the process with `code` (a `SystemExit` code) once stdout and stderr are flushed,
    skipping the interpreter's teardown."""
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe, a closed stream
            stream.flush()
    os._exit(code or 0)
