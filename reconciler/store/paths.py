"""Where reconciler keeps its state on this machine.

The CLI, the daemon and the store factory ask here, so that every process of one user finds the
same store. Only computes paths: creating the folder is the opening backend's business.
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_VARIABLE = "RECONCILER_HOME"
DB_NAME = "state.db"


def state_home() -> Path:
    """`$RECONCILER_HOME` when set (tests and CI point it at a temporary folder), else
    `~/.local/state/reconciler`."""
    configured = os.environ.get(HOME_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".local" / "state" / "reconciler"


def default_db_path() -> Path:
    """The SQLite file of the default store."""
    return state_home() / DB_NAME
