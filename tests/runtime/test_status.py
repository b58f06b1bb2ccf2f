"""`reconciler status`: per object, sync status and health, computed without a daemon."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.api.inventory import source_id_for
from reconciler.model.keys import ObjectKey
from reconciler.runtime.folder import ManifestFolder
from reconciler.runtime.health import Health
from reconciler.runtime.session import Cluster
from reconciler.runtime.status import (
    FolderStatus,
    SyncStatus,
    folder_status,
    last_sync,
    record_sync,
)
from reconciler.runtime.sync import SyncReport, Trigger
from tests.clusters import apply_folder, open_instant

RC = """\
apiVersion: v1
kind: ReplicationController
metadata:
  name: kubia
spec:
  replicas: {replicas}
  selector: {{app: kubia}}
  template:
    metadata: {{labels: {{app: kubia}}}}
    spec:
      containers: [{{name: kubia, image: luksa/kubia}}]
"""
SVC = """\
apiVersion: v1
kind: Service
metadata: {name: kubia-http}
spec:
  selector: {app: kubia}
  ports: [{port: 80, targetPort: 8080}]
"""
RC_KEY = ObjectKey("ReplicationController", "default", "kubia")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with open_instant(nodes=2, seed=3) as opened:
        yield opened


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "rc.yaml").write_text(RC.format(replicas=2))
    (tmp_path / "svc.yaml").write_text(SVC)
    return tmp_path


def status_of(cluster: Cluster, folder: Path) -> FolderStatus:
    return folder_status(cluster.api, ManifestFolder(folder), source_id=source_id_for([folder]))


def rows(status: FolderStatus) -> dict[str, tuple[str | None, SyncStatus, Health]]:
    return {o.key.name: (o.source, o.sync, o.health.status) for o in status.objects}


def test_a_folder_never_applied_is_out_of_sync_and_missing(cluster: Cluster, folder: Path) -> None:
    status = status_of(cluster, folder)

    assert rows(status) == {
        "kubia-http": ("svc.yaml", SyncStatus.OUT_OF_SYNC, Health.MISSING),
        "kubia": ("rc.yaml", SyncStatus.OUT_OF_SYNC, Health.MISSING),
    }
    assert not status.ok and status.last_sync is None


def test_an_applied_folder_with_ready_pods_is_synced_and_healthy(
    cluster: Cluster, folder: Path
) -> None:
    apply_folder(cluster, folder)

    status = status_of(cluster, folder)

    assert status.ok
    assert status.sync is SyncStatus.SYNCED and status.health is Health.HEALTHY


def test_a_live_change_is_out_of_sync_with_the_field_that_differs(
    cluster: Cluster, folder: Path
) -> None:
    apply_folder(cluster, folder)
    live = cluster.api.get(RC_KEY)
    live["spec"]["replicas"] = 4
    cluster.api.update(live)

    status = status_of(cluster, folder)

    row = next(o for o in status.objects if o.key == RC_KEY)
    assert row.sync is SyncStatus.OUT_OF_SYNC
    assert row.message == "spec.replicas: 4 -> 2"
    assert row.health.status is Health.PROGRESSING  # the new pods are not made yet


def test_objects_of_a_broken_file_are_errors(cluster: Cluster, folder: Path) -> None:
    apply_folder(cluster, folder)
    (folder / "rc.yaml").write_text("kind: ReplicationController\nspec: [\n")

    status = status_of(cluster, folder)

    assert rows(status)["kubia"] == ("rc.yaml", SyncStatus.ERROR, Health.HEALTHY)
    assert status.sync is SyncStatus.ERROR and status.errors


def test_an_object_no_file_declares_any_more_is_out_of_sync(cluster: Cluster, folder: Path) -> None:
    apply_folder(cluster, folder)
    (folder / "svc.yaml").unlink()

    status = status_of(cluster, folder)

    assert rows(status)["kubia-http"] == (None, SyncStatus.OUT_OF_SYNC, Health.HEALTHY)


def test_the_last_sync_a_daemon_recorded_is_shown(cluster: Cluster, folder: Path) -> None:
    source_id = source_id_for([folder])
    record_sync(cluster.store, source_id, SyncReport(Trigger.INITIAL, duration=0.002), when=0)

    assert last_sync(cluster.store, source_id) == {
        "time": "1970-01-01T00:00:00Z",
        "trigger": "initial",
        "result": "Succeeded",
        "files": 0,
        "created": 0,
        "configured": 0,
        "pruned": 0,
        "errors": [],
        "durationMs": 2.0,
    }
    assert status_of(cluster, folder).last_sync is not None
