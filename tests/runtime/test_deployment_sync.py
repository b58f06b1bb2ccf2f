"""GitOps with Deployments: an image edited in the folder rolls out, what the deployment
controller writes (revision annotation, status, ReplicaSets) is not drift, an undo in the cluster
is drift that self-heal reverts, and pause or restart (fields no manifest names) are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.api import rollout
from reconciler.api.inventory import source_id_for
from reconciler.model.keys import Obj
from reconciler.runtime.folder import ManifestFolder
from reconciler.runtime.health import Health, health_of
from reconciler.runtime.session import Cluster
from reconciler.runtime.sync import Syncer, Trigger
from tests.kubia import DEPLOYMENT_KEY as KEY
from tests.kubia import deployment_yaml


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "manifests"
    root.mkdir()
    (root / "kubia-deployment.yaml").write_text(deployment_yaml("luksa/kubia:v1"))
    return root


@pytest.fixture
def syncer(cluster: Cluster, folder: Path) -> Syncer:
    syncer = Syncer(
        cluster.api,
        ManifestFolder(folder),
        source_id=source_id_for([folder]),
        prune=True,
        self_heal=True,
    )
    syncer.sync_all(Trigger.INITIAL)
    cluster.advance()
    return syncer


def images(cluster: Cluster) -> set[str]:
    cluster.advance()
    pods: list[Obj] = cluster.api.list("Pod", "default")
    return {
        p["spec"]["containers"][0]["image"]
        for p in pods
        if not p["metadata"].get("deletionTimestamp")
    }


def test_an_image_edited_in_the_folder_rolls_out_and_leaves_no_drift(
    cluster: Cluster, folder: Path, syncer: Syncer
) -> None:
    assert syncer.check_drift() is None
    assert health_of(cluster.api.get(KEY)).status is Health.HEALTHY

    (folder / "kubia-deployment.yaml").write_text(deployment_yaml("luksa/kubia:v2"))
    report = syncer.sync_paths([folder / "kubia-deployment.yaml"])

    assert report is not None and report.ok
    assert images(cluster) == {"luksa/kubia:v2"}
    assert len(cluster.api.list("ReplicaSet", "default")) == 2
    assert syncer.check_drift() is None
    assert health_of(cluster.api.get(KEY)).status is Health.HEALTHY


def test_an_undo_in_the_cluster_is_drift_that_self_heal_reverts(
    cluster: Cluster, folder: Path, syncer: Syncer
) -> None:
    (folder / "kubia-deployment.yaml").write_text(deployment_yaml("luksa/kubia:v2"))
    syncer.sync_paths([folder / "kubia-deployment.yaml"])
    cluster.advance()
    syncer.check_drift()

    rollout.undo(cluster.api, KEY)
    report = syncer.check_drift()

    assert report is not None and [d.healed for d in report.drift] == [True]
    assert images(cluster) == {"luksa/kubia:v2"}


def test_pause_and_restart_are_not_drift(cluster: Cluster, syncer: Syncer) -> None:
    rollout.restart(cluster.api, KEY)
    cluster.advance()
    rollout.pause(cluster.api, KEY)
    cluster.advance()

    assert syncer.check_drift() is None
    assert health_of(cluster.api.get(KEY)).status is Health.SUSPENDED
