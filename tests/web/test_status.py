"""The GitOps panel's data: the folder the daemon watched, each file's sync and health, a
broken manifest's errors at path:line:col, the daemon's last sync; served at
/reconciler/v1/status and pushed on the page's stream."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from reconciler.api.inventory import source_id_for
from reconciler.runtime.session import Cluster
from reconciler.runtime.status import record_failure, remember_folder
from tests.web.conftest import BROKEN


def test_without_a_daemon_no_folder_is_reported(client: httpx.Client, kubia: Cluster) -> None:
    assert client.get("/reconciler/v1/status").json() == {
        "folder": None,
        "files": [],
        "errors": [],
        "lastSync": None,
    }


def test_each_file_of_the_daemons_folder_has_its_sync_and_health(
    client: httpx.Client, kubia: Cluster, folder: Path
) -> None:
    remember_folder(kubia.store, folder)

    report = client.get("/reconciler/v1/status").json()

    assert report["folder"] == str(folder)
    assert (report["syncStatus"], report["health"]) == ("Synced", "Healthy")
    files = {Path(f["path"]).name: (f["sync"], f["health"]) for f in report["files"]}
    assert files == {
        "kubia-http-svc.yaml": ("Synced", "Healthy"),
        "kubia-rc.yaml": ("Synced", "Healthy"),
    }
    rc_file = next(f for f in report["files"] if f["path"].endswith("kubia-rc.yaml"))
    assert rc_file["objects"] == [
        {
            "kind": "ReplicationController",
            "namespace": "default",
            "name": "kubia",
            "sync": "Synced",
            "health": "Healthy",
            "message": "",
        }
    ]


def test_a_broken_manifest_is_reported_at_path_line_col(
    client: httpx.Client, kubia: Cluster, folder: Path
) -> None:
    remember_folder(kubia.store, folder)
    (folder / "broken.yaml").write_text(BROKEN)

    report = client.get("/reconciler/v1/status").json()

    assert report["syncStatus"] == "Error"
    broken = next(f for f in report["files"] if f["path"].endswith("broken.yaml"))
    assert broken["sync"] == "Error"
    assert broken["errors"] == [
        f'{folder}/broken.yaml:6:13: error: spec.replicas: Invalid value: "three": must be '
        "an integer (replicationcontroller/broken)"
    ]
    assert report["errors"] == broken["errors"]
    others = [f["sync"] for f in report["files"] if f is not broken]
    assert others == ["Synced", "Synced"]


def test_the_daemons_last_record_is_part_of_the_report(
    client: httpx.Client, kubia: Cluster, folder: Path
) -> None:
    remember_folder(kubia.store, folder)
    record_failure(kubia.store, source_id_for([folder]), f"{folder} does not exist", when=0)

    last = client.get("/reconciler/v1/status").json()["lastSync"]

    assert last == {
        "time": "1970-01-01T00:00:00Z",
        "trigger": "folder",
        "result": "Failed",
        "errors": [f"{folder} does not exist"],
    }


def test_the_page_stream_pushes_the_report(
    client: httpx.Client, kubia: Cluster, folder: Path
) -> None:
    remember_folder(kubia.store, folder)
    (folder / "broken.yaml").write_text(BROKEN)
    event = ""
    with client.stream("GET", "/reconciler/v1/stream") as answer:
        for line in answer.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "status":
                report = json.loads(line.removeprefix("data: "))
                if report["folder"] is not None:
                    break

    assert report["folder"] == str(folder)
    assert any(re.search(r"broken\.yaml:6:13: error: ", e) for e in report["errors"])
