"""Opening the user's cluster for one CLI command.

Every command that reads or changes the cluster does

    with cluster_from_cli() as cluster:
        cluster.api.list("Pod", "default")

which opens the store under `$RECONCILER_HOME` (default `~/.local/state/reconciler`), creates the
cluster with defaults if there is none yet (3 nodes, realistic timing), and advances it to the
wall-clock time, so what the command shows is the cluster as it is now. The store is closed when
the block ends. Nothing else here: commands stay thin.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reconciler.cli import exiting
from reconciler.clock import RealClock
from reconciler.runtime.session import Cluster, open_cluster
from reconciler.store.open import open_store
from reconciler.store.paths import default_db_path


def store_path() -> Path:
    """The SQLite file holding the user's cluster."""
    return default_db_path()


@contextmanager
def cluster_from_cli() -> Iterator[Cluster]:
    """The user's cluster, bootstrapped if new and advanced to now; closed on exit (and left
    for the process's end to discard, see cli/exiting.py)."""
    with open_cluster(open_store(store_path()), clock=RealClock()) as cluster:
        try:
            yield cluster
        finally:
            exiting.keep(cluster)
