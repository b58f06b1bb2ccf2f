"""One sync pass converges a real (in-memory) cluster to a folder and tells drift apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.api.apply import Action
from reconciler.api.inventory import source_id_for
from reconciler.model.keys import Obj
from reconciler.runtime.folder import ManifestFolder
from reconciler.runtime.session import Cluster
from reconciler.runtime.sync import Syncer, SyncReport, Trigger
from tests.kubia import RC_KEY, SVC_KEY, rc_yaml, write_folder


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_folder(tmp_path / "manifests")


def syncer_for(cluster: Cluster, folder: Path, *, prune: bool = True, heal: bool = True) -> Syncer:
    return Syncer(
        cluster.api,
        ManifestFolder(folder),
        source_id=source_id_for([folder]),
        prune=prune,
        self_heal=heal,
    )


def running_pods(cluster: Cluster) -> list[Obj]:
    cluster.advance()
    return [
        p
        for p in cluster.api.list("Pod", "default")
        if p["status"].get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")
    ]


def actions(report: SyncReport | None) -> dict[str, list[str]]:
    assert report is not None
    found: dict[str, list[str]] = {}
    for outcome in report.outcomes:
        if outcome.action is not Action.UNCHANGED:
            found.setdefault(str(outcome.action), []).append(outcome.key.name)
    return found


def test_the_initial_sync_creates_every_object_and_the_pods_follow(
    cluster: Cluster, folder: Path
) -> None:
    report = syncer_for(cluster, folder).sync_all(Trigger.INITIAL)

    assert actions(report) == {"created": ["kubia-http", "kubia"]}
    assert report.ok
    assert len(running_pods(cluster)) == 3


def test_an_edited_file_is_applied_alone(cluster: Cluster, folder: Path) -> None:
    syncer = syncer_for(cluster, folder)
    syncer.sync_all(Trigger.INITIAL)

    (folder / "kubia-rc.yaml").write_text(rc_yaml(replicas=5))
    report = syncer.sync_paths([folder / "kubia-rc.yaml"])

    assert report is not None and report.files == ["kubia-rc.yaml"]
    assert actions(report) == {"configured": ["kubia"]}
    assert len(running_pods(cluster)) == 5


def test_a_file_saved_unchanged_writes_nothing(cluster: Cluster, folder: Path) -> None:
    syncer = syncer_for(cluster, folder)
    syncer.sync_all(Trigger.INITIAL)
    cluster.advance()
    revision = cluster.store.revision()

    (folder / "kubia-rc.yaml").write_text(rc_yaml())
    report = syncer.sync_paths([folder / "kubia-rc.yaml"])

    assert actions(report) == {}
    assert cluster.store.revision() == revision


def test_a_broken_file_keeps_its_objects_and_its_error_clears_when_fixed(
    cluster: Cluster, folder: Path
) -> None:
    syncer = syncer_for(cluster, folder)
    syncer.sync_all(Trigger.INITIAL)
    uid = cluster.api.get(RC_KEY)["metadata"]["uid"]

    (folder / "kubia-rc.yaml").write_text(rc_yaml().replace("replicas: 3", "replicas: [5"))
    broken = syncer.sync_paths([folder / "kubia-rc.yaml"])

    assert broken is not None and not broken.ok
    assert broken.errors[0].startswith(f"{folder / 'kubia-rc.yaml'}:")
    assert actions(broken) == {}
    assert cluster.api.get(RC_KEY)["metadata"]["uid"] == uid
    assert len(running_pods(cluster)) == 3

    (folder / "kubia-rc.yaml").write_text(rc_yaml(replicas=4))
    fixed = syncer.sync_paths([folder / "kubia-rc.yaml"])

    assert fixed is not None and fixed.ok and fixed.fixed == ["kubia-rc.yaml"]
    assert actions(fixed) == {"configured": ["kubia"]}
    assert syncer.desired.errors() == []


def test_a_deleted_file_prunes_what_it_declared(cluster: Cluster, folder: Path) -> None:
    syncer = syncer_for(cluster, folder)
    syncer.sync_all(Trigger.INITIAL)

    (folder / "kubia-svc.yaml").unlink()
    report = syncer.sync_paths([folder / "kubia-svc.yaml"])

    assert actions(report) == {"pruned": ["kubia-http"]}
    assert cluster.api.find(SVC_KEY) is None
    assert cluster.api.find(RC_KEY) is not None


def test_without_prune_a_deleted_file_leaves_its_objects(cluster: Cluster, folder: Path) -> None:
    syncer = syncer_for(cluster, folder, prune=False)
    syncer.sync_all(Trigger.INITIAL)

    (folder / "kubia-svc.yaml").unlink()
    report = syncer.sync_paths([folder / "kubia-svc.yaml"])

    assert actions(report) == {}
    assert cluster.api.find(SVC_KEY) is not None


def test_a_folder_that_suddenly_looks_empty_prunes_nothing(cluster: Cluster, folder: Path) -> None:
    syncer = syncer_for(cluster, folder)
    syncer.sync_all(Trigger.INITIAL)

    for path in list(folder.iterdir()):
        path.unlink()
    report = syncer.sync_paths([folder / "kubia-rc.yaml", folder / "kubia-svc.yaml"])

    assert report is not None and not report.ok
    assert "refusing to prune" in report.errors[0]
    assert cluster.api.find(RC_KEY) is not None and cluster.api.find(SVC_KEY) is not None


def test_a_manifest_moved_to_another_file_keeps_its_object_and_pods(
    cluster: Cluster, folder: Path
) -> None:
    syncer = syncer_for(cluster, folder)
    syncer.sync_all(Trigger.INITIAL)
    pods = {p["metadata"]["uid"] for p in running_pods(cluster)}
    uid = cluster.api.get(RC_KEY)["metadata"]["uid"]

    (folder / "kubia-rc.yaml").rename(folder / "app.yaml")
    report = syncer.sync_paths([folder / "kubia-rc.yaml", folder / "app.yaml"])

    assert actions(report) == {}
    assert cluster.api.get(RC_KEY)["metadata"]["uid"] == uid
    assert {p["metadata"]["uid"] for p in running_pods(cluster)} == pods
    source = cluster.api.get(RC_KEY)["metadata"]["annotations"]["reconciler.dev/source"]
    assert source == f"{folder / 'app.yaml'}#0"


def test_an_object_declared_in_two_files_is_an_error_of_the_second(
    cluster: Cluster, folder: Path
) -> None:
    syncer = syncer_for(cluster, folder)
    syncer.sync_all(Trigger.INITIAL)

    (folder / "copy.yaml").write_text(rc_yaml(replicas=9))
    report = syncer.sync_paths([folder / "copy.yaml"])

    assert report is not None and "declared twice" in report.errors[0]
    assert cluster.api.get(RC_KEY)["spec"]["replicas"] == 3

    (folder / "kubia-rc.yaml").unlink()
    moved = syncer.sync_paths([folder / "kubia-rc.yaml"])

    assert moved is not None and moved.ok
    assert cluster.api.get(RC_KEY)["spec"]["replicas"] == 9


def test_drift_is_reverted_with_self_heal(cluster: Cluster, folder: Path) -> None:
    syncer = syncer_for(cluster, folder)
    syncer.sync_all(Trigger.INITIAL)
    cluster.advance()
    syncer.check_drift()

    live = cluster.api.get(RC_KEY)
    live["spec"]["replicas"] = 6
    cluster.api.update(live)
    report = syncer.check_drift()

    assert report is not None and [d.healed for d in report.drift] == [True]
    assert "spec.replicas: 6 -> 3" in str(report.drift[0].changes[0])
    assert cluster.api.get(RC_KEY)["spec"]["replicas"] == 3
    assert syncer.check_drift() is None


def test_drift_stays_out_of_sync_without_self_heal_even_across_restarts(
    cluster: Cluster, folder: Path
) -> None:
    syncer = syncer_for(cluster, folder, heal=False)
    syncer.sync_all(Trigger.INITIAL)
    cluster.advance()
    syncer.check_drift()

    live = cluster.api.get(RC_KEY)
    live["spec"]["replicas"] = 6
    cluster.api.update(live)
    cluster.api.delete(SVC_KEY)
    report = syncer.check_drift()

    assert report is not None
    assert {(d.key.name, d.missing, d.healed) for d in report.drift} == {
        ("kubia", False, False),
        ("kubia-http", True, False),
    }
    assert set(syncer.out_of_sync) == {RC_KEY, SVC_KEY}
    assert cluster.api.get(RC_KEY)["spec"]["replicas"] == 6

    restarted = syncer_for(cluster, folder, heal=False).sync_all(Trigger.INITIAL)

    assert actions(restarted) == {}
    assert cluster.api.get(RC_KEY)["spec"]["replicas"] == 6


def test_an_object_deleted_by_hand_stays_missing_after_edits_of_other_files(
    cluster: Cluster, folder: Path
) -> None:
    syncer = syncer_for(cluster, folder, heal=False)
    syncer.sync_all(Trigger.INITIAL)
    cluster.api.delete(SVC_KEY)
    syncer.check_drift()
    (folder / "kubia-rc.yaml").write_text(rc_yaml(replicas=2))
    syncer.sync_paths([folder / "kubia-rc.yaml"])

    restarted = syncer_for(cluster, folder, heal=False).sync_all(Trigger.INITIAL)

    assert actions(restarted) == {}
    assert [(d.key, d.missing) for d in restarted.drift] == [(SVC_KEY, True)]
    assert cluster.api.find(SVC_KEY) is None


def test_an_edit_is_applied_even_when_self_heal_is_off(cluster: Cluster, folder: Path) -> None:
    syncer = syncer_for(cluster, folder, heal=False)
    syncer.sync_all(Trigger.INITIAL)
    live = cluster.api.get(RC_KEY)
    live["spec"]["replicas"] = 6
    cluster.api.update(live)
    syncer.check_drift()

    (folder / "kubia-rc.yaml").write_text(rc_yaml(replicas=2))
    report = syncer.sync_paths([folder / "kubia-rc.yaml"])

    assert actions(report) == {"configured": ["kubia"]}
    assert cluster.api.get(RC_KEY)["spec"]["replicas"] == 2
    assert syncer.out_of_sync == {}


def test_a_broken_file_at_start_does_not_prune_what_it_declared(
    cluster: Cluster, folder: Path
) -> None:
    syncer_for(cluster, folder).sync_all(Trigger.INITIAL)
    (folder / "kubia-svc.yaml").write_text("kind: Service\nmetadata: {name: [\n")

    report = syncer_for(cluster, folder).sync_all(Trigger.INITIAL)

    assert not report.ok
    assert actions(report) == {}
    assert cluster.api.find(SVC_KEY) is not None


def test_the_cluster_acting_on_managed_objects_is_not_drift(cluster: Cluster, folder: Path) -> None:
    syncer = syncer_for(cluster, folder)
    syncer.sync_all(Trigger.INITIAL)

    assert len(running_pods(cluster)) == 3  # the controllers wrote the RC's and service's status
    assert syncer.check_drift() is None


def test_a_drift_check_far_behind_catches_up_in_steps_and_finds_the_drift(
    cluster: Cluster, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reconciler.runtime.sync.LOOK_SPAN", 2)
    syncer = syncer_for(cluster, folder)
    syncer.sync_all(Trigger.INITIAL)
    assert len(running_pods(cluster)) == 3
    live = cluster.api.get(RC_KEY)
    live["spec"]["replicas"] = 6
    cluster.api.update(live)
    reports = [syncer.check_drift()]
    while syncer.behind:
        reports.append(syncer.check_drift())

    found = [d for report in reports if report is not None for d in report.drift]
    assert len(reports) > 1
    assert [(d.key, d.healed) for d in found] == [(RC_KEY, True)]
    assert cluster.api.get(RC_KEY)["spec"]["replicas"] == 3
    assert syncer.check_drift() is None and not syncer.behind


def test_a_resync_catches_an_edit_whose_event_was_missed(cluster: Cluster, folder: Path) -> None:
    syncer = syncer_for(cluster, folder)
    syncer.sync_all(Trigger.INITIAL)

    (folder / "kubia-rc.yaml").write_text(rc_yaml(replicas=4))
    (folder / "kubia-svc.yaml").unlink()
    report = syncer.sync_all(Trigger.RESYNC)

    assert report.files == ["kubia-rc.yaml", "kubia-svc.yaml"]
    assert actions(report) == {"configured": ["kubia"], "pruned": ["kubia-http"]}


def test_a_resync_of_an_unchanged_folder_writes_nothing(cluster: Cluster, folder: Path) -> None:
    syncer = syncer_for(cluster, folder, heal=False)
    syncer.sync_all(Trigger.INITIAL)
    live = cluster.api.get(RC_KEY)
    live["spec"]["replicas"] = 6
    cluster.api.update(live)
    cluster.advance()
    revision = cluster.store.revision()

    report = syncer.sync_all(Trigger.RESYNC)

    assert report.files == [] and actions(report) == {}
    assert cluster.store.revision() == revision


def test_an_invalid_field_is_reported_at_its_line_and_column_and_changes_nothing(
    cluster: Cluster, folder: Path
) -> None:
    syncer = syncer_for(cluster, folder)
    syncer.sync_all(Trigger.INITIAL)

    (folder / "kubia-rc.yaml").write_text(rc_yaml().replace("replicas: 3", "replicsa: 5"))
    report = syncer.sync_paths([folder / "kubia-rc.yaml"])

    assert report is not None and report.errors == [
        f'{folder / "kubia-rc.yaml"}:6:3: error: unknown field "spec.replicsa", '
        'did you mean "replicas"? (replicationcontroller/kubia)'
    ]
    assert actions(report) == {}
    assert cluster.api.get(RC_KEY)["spec"]["replicas"] == 3


def test_a_changed_ignore_file_rereads_the_folder(cluster: Cluster, folder: Path) -> None:
    syncer = syncer_for(cluster, folder)
    syncer.sync_all(Trigger.INITIAL)

    (folder / ".reconcilerignore").write_text("kubia-svc.yaml\n")
    report = syncer.sync_paths([folder / ".reconcilerignore"])

    assert report is not None and report.files == [".reconcilerignore", "kubia-svc.yaml"]
    assert actions(report) == {"pruned": ["kubia-http"]}
