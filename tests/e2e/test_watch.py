"""The GitOps daemon end to end: a real `reconciler watch` process on a temporary folder, real
filesystem events, a real SQLite store read beside it, an instant cluster. Every wait is on a
condition with a deadline, never for a fixed time."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.model.keys import Obj, ObjectKey
from reconciler.store.sqlite import SqliteStore
from tests.kubia import RC_FILE, RC_KEY, SVC_FILE, SVC_KEY, rc_yaml, write_folder
from tests.processes import run_reconciler
from tests.waiting import wait_for

DEADLINE = 20.0


class Daemon:
    """A `reconciler watch DIR --log-format json` process and the records it logged."""

    def __init__(self, home: Path, folder: Path, *flags: str) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reconciler",
                "watch",
                str(folder),
                "--log-format",
                "json",
                *flags,
            ],
            env={**os.environ, "RECONCILER_HOME": str(home)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.records: list[dict[str, Any]] = []
        self.other: list[str] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._lock:
                try:
                    self.records.append(json.loads(line))
                except ValueError:
                    self.other.append(line)

    def events(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.records if r["event"] == name]

    def syncs(self) -> list[dict[str, Any]]:
        return self.events("sync")

    def wait_for_sync(self, condition: Callable[[dict[str, Any]], bool], *, what: str) -> Any:
        """The first sync record meeting `condition` (waiting for it to be logged)."""
        return wait_for(lambda: next((s for s in self.syncs() if condition(s)), None), what=what)

    def started(self) -> None:
        """Wait until the initial sync was logged."""
        self.wait_for_sync(lambda s: s["trigger"] == "initial", what="the initial sync")

    def terminate(self, number: int = signal.SIGTERM) -> int:
        """Send a signal and wait for the process to end; its exit code."""
        self.process.send_signal(number)
        code = self.process.wait(timeout=DEADLINE)
        self._reader.join(timeout=DEADLINE)
        return code

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=DEADLINE)
        self._reader.join(timeout=DEADLINE)

    def close(self) -> None:
        if self.process.poll() is None:
            self.kill()
        if self.process.stdout is not None:
            self.process.stdout.close()
        if self.process.stderr is not None:
            self.process.stderr.close()


def running_pods(store: SqliteStore, app: str = "kubia") -> list[Obj]:
    """Pods of the app that are Running, ready and not terminating."""
    return [
        pod
        for pod in store.list("Pod", "default")
        if pod["metadata"].get("labels", {}).get("app") == app
        and not pod["metadata"].get("deletionTimestamp")
        and pod.get("status", {}).get("phase") == "Running"
        and all(c.get("ready") for c in pod["status"].get("containerStatuses", []))
    ]


Start = Callable[..., Daemon]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A state folder holding a 3-node cluster whose simulated steps take no time."""
    state = tmp_path / "home"
    created = run_reconciler("cluster", "create", "--timing", "instant", home=state)
    assert created.returncode == 0, created.stderr
    return state


@pytest.fixture
def store(home: Path) -> Iterator[SqliteStore]:
    """The cluster's store, opened by the test beside the daemon (reads only)."""
    opened = SqliteStore(home / "state.db")
    yield opened
    opened.close()


@pytest.fixture
def start(home: Path) -> Iterator[Start]:
    """Start `reconciler watch FOLDER FLAGS…` daemons; any still running are killed at the end."""
    started: list[Daemon] = []

    def launch(folder: Path, *flags: str) -> Daemon:
        daemon = Daemon(home, folder, *flags)
        started.append(daemon)
        return daemon

    yield launch
    for daemon in started:
        daemon.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "manifests")


def uid(store: SqliteStore, key: ObjectKey) -> str | None:
    obj = store.get(key)
    return None if obj is None else str(obj["metadata"]["uid"])


def pod_count(store: SqliteStore, count: int) -> Callable[[], bool]:
    return lambda: len(running_pods(store)) == count


def save_like_vim(path: Path, text: str) -> None:
    """vim's default save: probe the folder, keep a swap file, rename the original to a backup,
    write the new file, remove the backup."""
    probe = path.with_name("4913")
    probe.write_text("")
    probe.unlink()
    swap = path.with_name(f".{path.name}.swp")
    swap.write_bytes(b"\0" * 128)
    backup = path.with_name(path.name + "~")
    os.rename(path, backup)
    path.write_text(text)
    backup.unlink()
    swap.unlink()


def save_atomically(path: Path, text: str) -> None:
    """What most editors and tools do: write a temporary file, rename it over the target."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def test_the_daemon_converges_edits_and_deletions_then_stops_cleanly(
    home: Path, folder: Path, store: SqliteStore, start: Start
) -> None:
    daemon = start(folder)
    daemon.started()
    wait_for(pod_count(store, 3), what="3 kubia pods Running")
    assert store.get(SVC_KEY) is not None

    (folder / RC_FILE).write_text(rc_yaml(replicas=5))
    wait_for(pod_count(store, 5), what="5 kubia pods Running after the edit")
    edit = daemon.wait_for_sync(lambda s: s["files"] == [RC_FILE], what="the edit's sync")
    assert edit["configured"] == ["replicationcontroller/kubia"]

    (folder / SVC_FILE).unlink()
    wait_for(lambda: store.get(SVC_KEY) is None, what="the service pruned")
    assert len(running_pods(store)) == 5

    assert daemon.terminate() == 0
    assert daemon.events("stopped")
    assert daemon.other == []
    # the folder the daemon watched, no daemon now
    status = run_reconciler("status", "-o", "json", home=home)
    assert status.returncode == 0, status.stdout
    report = json.loads(status.stdout)
    assert report["folder"] == str(folder)
    assert (report["syncStatus"], report["health"]) == ("Synced", "Healthy")
    assert [row["name"] for row in report["objects"]] == ["kubia"]
    assert report["lastSync"]["pruned"] == 1


def test_a_broken_file_keeps_its_objects_until_fixed_and_status_tells(
    home: Path, folder: Path, store: SqliteStore, start: Start
) -> None:
    daemon = start(folder)
    daemon.started()
    wait_for(pod_count(store, 3), what="3 kubia pods Running")
    rc_uid = uid(store, RC_KEY)

    (folder / RC_FILE).write_text(rc_yaml(replicas=5).replace("replicas: 5", "replicas: [5"))
    broken = daemon.wait_for_sync(lambda s: s["errors"], what="the broken file reported")

    assert re.search(rf"{re.escape(str(folder / RC_FILE))}:\d+:\d+: ", broken["errors"][0])
    assert broken["created"] == broken["configured"] == broken["pruned"] == []
    assert uid(store, RC_KEY) == rc_uid and len(running_pods(store)) == 3
    status = run_reconciler("status", str(folder), "-o", "json", home=home)
    assert status.returncode == 1
    rows = {row["name"]: row for row in json.loads(status.stdout)["objects"]}
    assert rows["kubia"]["status"] == "Error"

    (folder / RC_FILE).write_text(rc_yaml(replicas=4))
    fixed = daemon.wait_for_sync(lambda s: s["fixed"] == [RC_FILE], what="the fix")

    assert fixed["errors"] == [] and fixed["configured"] == ["replicationcontroller/kubia"]
    wait_for(pod_count(store, 4), what="4 kubia pods Running after the fix")
    assert uid(store, RC_KEY) == rc_uid
    healthy = wait_for(
        lambda: (done := run_reconciler("status", str(folder), home=home)).returncode == 0 and done,
        what="status to exit 0",
    )
    assert "Synced" in healthy.stdout and "Healthy" in healthy.stdout


def test_a_renamed_manifest_keeps_its_object_and_pods(
    folder: Path, store: SqliteStore, start: Start
) -> None:
    daemon = start(folder)
    daemon.started()
    wait_for(pod_count(store, 3), what="3 kubia pods Running")
    pods = {p["metadata"]["uid"] for p in running_pods(store)}
    rc_uid = uid(store, RC_KEY)

    os.rename(folder / RC_FILE, folder / "app.yaml")
    moved = daemon.wait_for_sync(lambda s: "app.yaml" in s["files"], what="the rename's sync")

    assert sorted(moved["files"]) == ["app.yaml", RC_FILE]
    assert moved["created"] == moved["pruned"] == moved["errors"] == []
    assert uid(store, RC_KEY) == rc_uid
    assert {p["metadata"]["uid"] for p in running_pods(store)} == pods


def test_editor_saves_cause_one_sync_each_and_no_churn(
    folder: Path, store: SqliteStore, start: Start
) -> None:
    daemon = start(folder)
    daemon.started()
    wait_for(pod_count(store, 3), what="3 kubia pods Running")
    version = store.get(RC_KEY)["metadata"]["resourceVersion"]  # type: ignore[index]

    save_like_vim(folder / RC_FILE, rc_yaml())
    daemon.wait_for_sync(lambda s: s["trigger"] == "change", what="the vim save's sync")
    save_atomically(folder / RC_FILE, rc_yaml())
    wait_for(lambda: len(daemon.syncs()) == 3, what="the atomic save's sync")

    assert [s["files"] for s in daemon.syncs()[1:]] == [[RC_FILE], [RC_FILE]]
    assert all(not (s["created"] or s["configured"] or s["errors"]) for s in daemon.syncs()[1:])
    assert store.get(RC_KEY)["metadata"]["resourceVersion"] == version  # type: ignore[index]

    save_atomically(folder / RC_FILE, rc_yaml(replicas=4))
    wait_for(pod_count(store, 4), what="4 kubia pods Running")
    assert len(daemon.syncs()) == 4


def test_a_burst_of_a_thousand_files_is_a_few_syncs(
    folder: Path, store: SqliteStore, start: Start
) -> None:
    daemon = start(folder)
    daemon.started()

    for index in range(1000):
        name = f"team-{index:04}"
        (folder / f"{name}.yaml").write_text(
            f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n"
        )
    wait_for(
        lambda: sum(len(s["created"]) for s in daemon.syncs()[1:]) == 1000,
        what="1,000 namespaces created",
        deadline=60,
    )

    assert len(daemon.syncs()) - 1 <= 3
    assert len(store.list("Namespace")) >= 1000


def test_drift_is_reverted_with_self_heal(
    home: Path, folder: Path, store: SqliteStore, start: Start
) -> None:
    daemon = start(folder)
    daemon.started()
    wait_for(pod_count(store, 3), what="3 kubia pods Running")

    change_replicas_live(home, 6)
    healed = daemon.wait_for_sync(lambda s: s["drift"], what="the drift reported")

    assert healed["drift"][0]["object"] == "replicationcontroller/kubia"
    assert healed["drift"][0]["healed"] is True
    assert "spec.replicas: 6 -> 3" in healed["drift"][0]["changes"]
    wait_for(lambda: store.get(RC_KEY)["spec"]["replicas"] == 3, what="replicas reverted")  # type: ignore[index]
    wait_for(pod_count(store, 3), what="back to 3 pods")


def test_drift_without_self_heal_is_reported_and_stays_out_of_sync(
    home: Path, folder: Path, store: SqliteStore, start: Start
) -> None:
    daemon = start(folder, "--no-self-heal")
    daemon.started()
    wait_for(pod_count(store, 3), what="3 kubia pods Running")

    change_replicas_live(home, 6)
    drift = daemon.wait_for_sync(lambda s: s["drift"], what="the drift reported")

    assert drift["drift"][0]["healed"] is False
    assert drift["configured"] == []
    wait_for(pod_count(store, 6), what="6 pods, as changed live")
    status = run_reconciler("status", str(folder), "-o", "json", home=home)
    assert status.returncode == 1
    rows = {row["name"]: row for row in json.loads(status.stdout)["objects"]}
    assert rows["kubia"]["status"] == "OutOfSync"
    assert store.get(RC_KEY)["spec"]["replicas"] == 6  # type: ignore[index]


def test_killed_and_restarted_it_resumes_without_doing_anything_twice(
    folder: Path, store: SqliteStore, start: Start
) -> None:
    first = start(folder)
    first.started()
    wait_for(pod_count(store, 3), what="3 kubia pods Running")
    rc_uid = uid(store, RC_KEY)
    first.kill()

    (folder / RC_FILE).write_text(rc_yaml(replicas=4))
    second = start(folder)
    resumed = second.wait_for_sync(lambda s: s["trigger"] == "initial", what="the restart's sync")

    assert resumed["created"] == [] and resumed["configured"] == ["replicationcontroller/kubia"]
    wait_for(pod_count(store, 4), what="4 kubia pods Running")
    assert uid(store, RC_KEY) == rc_uid
    assert len(store.list("Pod", "default")) == 4
    assert second.terminate(signal.SIGINT) == 0


def test_a_second_daemon_on_the_same_state_folder_refuses_to_start(
    folder: Path, start: Start
) -> None:
    first = start(folder)
    first.started()

    second = start(folder)
    code = second.process.wait(timeout=DEADLINE)
    second.close()

    assert code != 0
    assert "already running" in "".join(second.other)
    assert first.process.poll() is None


def test_a_missing_folder_is_one_clear_error(home: Path, tmp_path: Path) -> None:
    result = run_reconciler("watch", str(tmp_path / "nowhere"), home=home)

    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'nowhere'} does not exist"


def test_a_folder_deleted_while_watched_is_reported_and_picked_up_again(
    folder: Path, store: SqliteStore, start: Start, tmp_path: Path
) -> None:
    daemon = start(folder)
    daemon.started()
    wait_for(pod_count(store, 3), what="3 kubia pods Running")

    os.rename(folder, tmp_path / "elsewhere")
    lost = wait_for(lambda: daemon.events("folder-lost"), what="the folder reported lost")
    assert "does not exist" in lost[0]["message"] or "replaced" in lost[0]["message"]
    assert store.get(RC_KEY) is not None and daemon.process.poll() is None

    os.rename(tmp_path / "elsewhere", folder)
    wait_for(lambda: daemon.events("folder-back"), what="the folder picked up again")
    (folder / RC_FILE).write_text(rc_yaml(replicas=2))
    wait_for(pod_count(store, 2), what="2 kubia pods Running")


def change_replicas_live(home: Path, replicas: int) -> None:
    """Change the cluster only, not the folder."""
    scaled = run_reconciler(
        "scale", "rc", "kubia", "--replicas", str(replicas), "--live", home=home
    )
    assert scaled.returncode == 0, scaled.stderr
