"""The real `reconciler` process, as a user's shell runs it, for the tests that need its exit
code, its stderr or its signals rather than typer's in-process runner. Import as
`tests.processes`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_reconciler(
    *args: str, home: Path, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m reconciler ARGS` with $RECONCILER_HOME at `home`, run to its end (a minute at
    most); stdout and stderr captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "reconciler", *args],
        env={**os.environ, "RECONCILER_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        check=False,
    )
