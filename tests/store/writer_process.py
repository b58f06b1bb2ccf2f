"""A store writer that tests/store/test_sqlite.py runs in a process of its own.

python writer_process.py PATH creates COUNT PREFIX
    Wait for a line on stdin (the start signal), print the revision seen, then create COUNT
    pods named PREFIX-N, each in its own transaction.
python writer_process.py PATH hang COUNT PREFIX
    Commit COUNT pods (PREFIX-kept-N) in one transaction, then start another that creates
    COUNT more (PREFIX-lost-N), sets a meta value and a timer, prints "ready" and blocks
    until killed.
"""

from __future__ import annotations

import sys

from reconciler.model.keys import Obj
from reconciler.store.sqlite import SqliteStore

PADDING = "x" * 2000
"""Makes pods as large as real ones, so a big transaction spills into the WAL before it ends."""


def pod(name: str, app: str) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": "default",
            "labels": {"app": app},
            "annotations": {"padding": PADDING},
        },
    }


def main() -> None:
    path, mode, count, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    store = SqliteStore(path)
    if mode == "creates":
        print(store.revision(), flush=True)
        sys.stdin.readline()
        for number in range(count):
            store.create(pod(f"{prefix}-{number}", prefix))
    else:
        with store.transaction():
            for number in range(count):
                store.create(pod(f"{prefix}-kept-{number}", "kept"))
        with store.transaction():
            for number in range(count):
                store.create(pod(f"{prefix}-lost-{number}", "lost"))
            store.set_meta("lost", "yes")
            store.set_timer("lost", 1.0)
            print("ready", flush=True)
            sys.stdin.readline()
            raise SystemExit("the test was meant to kill this writer mid-transaction")
    store.close()


if __name__ == "__main__":
    main()
