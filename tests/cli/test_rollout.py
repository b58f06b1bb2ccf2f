"""`rollout status|history|undo|pause|resume|restart` and `set image` through the CLI, on an
instant cluster; minutes of simulated time pass with `fast_forward`, never by sleeping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reconciler.api.apply import Manifest, apply
from reconciler.api.inventory import source_id_for
from reconciler.cli.app import app
from reconciler.cli.context import cluster_from_cli
from reconciler.errors import ReconcilerError, UsageError
from reconciler.model.deployments import RESTARTED_AT
from reconciler.model.keys import Obj
from reconciler.source.editor import read_document
from tests.cli.conftest import Arrange
from tests.cli.timetravel import fast_forward
from tests.kubia import DEPLOYMENT_KEY as KEY
from tests.kubia import deployment_yaml

runner = CliRunner()

KUBIA_YAML = "# the book's kubia deployment (chapter 9)\n" + deployment_yaml(
    '"luksa/kubia:v1"   # the first version'
)


def kubia(image: str = "luksa/kubia:v1", **spec: Any) -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "kubia"},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "kubia"}},
            "template": {
                "metadata": {"labels": {"app": "kubia"}},
                "spec": {"containers": [{"name": "nodejs", "image": image}]},
            },
            **spec,
        },
    }


def live() -> Obj:
    with cluster_from_cli() as cluster:
        return cluster.api.get(KEY)


def cli(*args: str) -> Any:
    return runner.invoke(app, list(args))


def image_of(obj: Obj) -> str:
    return str(obj["spec"]["template"]["spec"]["containers"][0]["image"])


@pytest.fixture
def folder(instant_cluster: Path, tmp_path: Path) -> Path:
    """The book's deployment applied from a manifest folder."""
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    path = manifests / "kubia-deployment.yaml"
    path.write_text(KUBIA_YAML)
    with cluster_from_cli() as cluster:
        apply(
            cluster.api,
            [Manifest(read_document(path, 0), str(path), 0)],
            source_id=source_id_for([manifests]),
        )
        cluster.advance()
    return manifests


# -- status -----------------------------------------------------------------------------------


def test_status_of_a_finished_rollout_says_it_rolled_out(arrange: Arrange) -> None:
    arrange(kubia())
    result = cli("rollout", "status", "deploy/kubia")
    assert result.exit_code == 0, result.output
    assert result.stdout == 'deployment "kubia" successfully rolled out\n'


def test_status_without_watching_prints_where_the_rollout_stands(arrange: Arrange) -> None:
    arrange(kubia(minReadySeconds=30))
    result = cli("rollout", "status", "deployment", "kubia", "--watch=false")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        'Waiting for deployment "kubia" rollout to finish: 0 of 3 updated replicas are '
        "available...\n"
    )
    fast_forward(30)
    assert cli("rollout", "status", "deploy/kubia").stdout.endswith("successfully rolled out\n")


def test_status_fails_once_the_progress_deadline_passed(arrange: Arrange) -> None:
    arrange(kubia("registry.example.com/kubia:v1"))
    fast_forward(602)
    result = cli("rollout", "status", "deploy/kubia")
    assert result.exit_code == 1
    assert isinstance(result.exception, ReconcilerError)
    assert str(result.exception) == 'deployment "kubia" exceeded its progress deadline'


def test_status_gives_up_after_its_timeout(arrange: Arrange) -> None:
    arrange(kubia(minReadySeconds=300))
    result = cli("rollout", "status", "deploy/kubia", "--timeout", "1ms")
    assert str(result.exception) == "timed out waiting for the condition"
    assert result.stdout.startswith('Waiting for deployment "kubia" rollout to finish')


def test_rollout_commands_refuse_other_kinds_in_kubectl_words(arrange: Arrange) -> None:
    refusals = {
        ("status", "rc/kubia"): "no status viewer has been implemented for ReplicationController",
        ("history", "rs/kubia"): 'no history viewer has been implemented for "ReplicaSet.apps"',
        ("undo", "rc/kubia"): 'no rollbacker has been implemented for "ReplicationController"',
        ("pause", "rs/kubia"): 'replicasets.apps "kubia" pausing is not supported',
    }
    for (verb, target), message in refusals.items():
        result = cli("rollout", verb, target)
        assert isinstance(result.exception, UsageError) and str(result.exception) == message


# -- history and undo -------------------------------------------------------------------------


def test_history_lists_revisions_and_shows_one_template(arrange: Arrange) -> None:
    arrange(kubia())
    cli("set", "image", "deploy/kubia", "nodejs=luksa/kubia:v2")
    result = cli("rollout", "history", "deploy/kubia")
    assert result.stdout == (
        "deployment.apps/kubia \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n"
    )
    detail = cli("rollout", "history", "deploy/kubia", "--revision", "2").stdout
    assert detail.startswith("deployment.apps/kubia with revision #2\nPod Template:\n")
    assert "pod-template-hash=" in detail and "Image:         luksa/kubia:v2" in detail
    missing = cli("rollout", "history", "deploy/kubia", "--revision", "7")
    assert str(missing.exception) == "unable to find the specified revision"


def test_undo_rolls_back_and_skips_when_already_there(arrange: Arrange) -> None:
    arrange(kubia())
    cli("set", "image", "deploy/kubia", "nodejs=luksa/kubia:v2")
    result = cli("rollout", "undo", "deploy/kubia")
    assert result.exit_code == 0, result.output
    assert result.stdout == "deployment.apps/kubia rolled back\n"
    assert result.stderr == ""
    assert image_of(live()) == "luksa/kubia:v1"
    again = cli("rollout", "undo", "deploy/kubia", "--to-revision", "3")
    assert again.stdout == (
        "deployment.apps/kubia skipped rollback (current template already matches revision 3)\n"
    )
    gone = cli("rollout", "undo", "deploy/kubia", "--to-revision", "9")
    assert str(gone.exception) == "unable to find specified revision 9 in history"


def test_undo_of_a_deployment_from_a_folder_says_the_folder_wins(folder: Path) -> None:
    cli("set", "image", "deploy/kubia", "nodejs=luksa/kubia:v2", "--live")
    result = cli("rollout", "undo", "deploy/kubia")
    assert result.stdout == "deployment.apps/kubia rolled back\n"
    manifest = folder / "kubia-deployment.yaml"
    assert f"came from {manifest}" in result.stderr
    assert "the next apply or GitOps sync" in result.stderr
    assert manifest.read_text() == KUBIA_YAML


def test_undo_with_no_earlier_revision_is_refused(arrange: Arrange) -> None:
    arrange(kubia())
    result = cli("rollout", "undo", "deploy/kubia")
    assert str(result.exception) == 'no rollout history found for deployment "kubia"'


# -- pause, resume, restart -------------------------------------------------------------------


def test_pause_resume_and_restart_print_kubectl_lines(arrange: Arrange) -> None:
    arrange(kubia())
    assert cli("rollout", "pause", "deploy/kubia").stdout == "deployment.apps/kubia paused\n"
    assert live()["spec"]["paused"] is True
    again = cli("rollout", "pause", "deploy/kubia")
    assert str(again.exception) == 'deployments.apps "kubia" is already paused'
    refused = cli("rollout", "restart", "deploy/kubia")
    assert str(refused.exception) == (
        'deployments.apps "kubia" can\'t restart paused deployment (run rollout resume first)'
    )
    assert cli("rollout", "resume", "deploy/kubia").stdout == "deployment.apps/kubia resumed\n"
    not_paused = cli("rollout", "resume", "deploy/kubia")
    assert str(not_paused.exception) == 'deployments.apps "kubia" is not paused'
    before = {p["metadata"]["name"] for p in pods()}
    assert cli("rollout", "restart", "deploy/kubia").stdout == "deployment.apps/kubia restarted\n"
    assert RESTARTED_AT in live()["spec"]["template"]["metadata"]["annotations"]
    fast_forward(120)
    assert not before & {p["metadata"]["name"] for p in pods()}


def pods() -> list[Obj]:
    with cluster_from_cli() as cluster:
        return [
            p
            for p in cluster.api.list("Pod", "default")
            if not p["metadata"].get("deletionTimestamp")
        ]


# -- set image --------------------------------------------------------------------------------


def test_set_image_rewrites_the_manifest_and_rolls_out(folder: Path) -> None:
    result = cli("set", "image", "deploy/kubia", "nodejs=luksa/kubia:v2")
    assert result.exit_code == 0, result.output
    assert result.stdout == "deployment.apps/kubia image updated\n"
    manifest = folder / "kubia-deployment.yaml"
    assert f"written to {manifest}" in result.stderr
    assert manifest.read_text() == KUBIA_YAML.replace('"luksa/kubia:v1"', '"luksa/kubia:v2"')
    assert image_of(live()) == "luksa/kubia:v2"
    assert {p["spec"]["containers"][0]["image"] for p in pods()} == {"luksa/kubia:v2"}


def test_set_image_live_changes_only_the_cluster(folder: Path) -> None:
    result = cli("set", "image", "deployment", "kubia", "*=luksa/kubia:v3", "--live")
    assert result.stdout == "deployment.apps/kubia image updated\n"
    assert (folder / "kubia-deployment.yaml").read_text() == KUBIA_YAML
    assert image_of(live()) == "luksa/kubia:v3"


def test_set_image_to_the_same_image_prints_nothing(arrange: Arrange) -> None:
    arrange(kubia())
    result = cli("set", "image", "deploy/kubia", "nodejs=luksa/kubia:v1")
    assert (result.exit_code, result.stdout) == (0, "")


def test_set_image_of_an_unknown_container_is_refused(arrange: Arrange) -> None:
    arrange(kubia())
    result = cli("set", "image", "deploy/kubia", "web=nginx")
    assert str(result.exception) == 'unable to find container named "web"'
    no_image = cli("set", "image", "deploy/kubia")
    assert str(no_image.exception) == "at least one image update is required"


# -- get and describe -------------------------------------------------------------------------


def test_describe_shows_strategy_conditions_replica_sets_and_events(arrange: Arrange) -> None:
    arrange(kubia())
    cli("set", "image", "deploy/kubia", "nodejs=luksa/kubia:v2")
    text = cli("describe", "deploy", "kubia").stdout
    with cluster_from_cli() as cluster:
        old, new = sorted(
            cluster.api.list("ReplicaSet", "default"),
            key=lambda rs: rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        )
    assert "StrategyType:           RollingUpdate\n" in text
    assert "MinReadySeconds:        0\n" in text
    assert "RollingUpdateStrategy:  25% max unavailable, 25% max surge\n" in text
    counts = "3 desired | 3 updated | 3 total | 3 available | 0 unavailable"
    assert f"Replicas:               {counts}\n" in text
    assert "  Available      True    MinimumReplicasAvailable\n" in text
    assert "  Progressing    True    NewReplicaSetAvailable\n" in text
    assert f"OldReplicaSets:  {old['metadata']['name']} (0/0 replicas created)\n" in text
    assert f"NewReplicaSet:   {new['metadata']['name']} (3/3 replicas created)\n" in text
    assert f"Scaled up replica set {new['metadata']['name']} from 0 to 1" in text
    assert f"Scaled down replica set {old['metadata']['name']} from 1 to 0" in text


def test_get_deploy_shows_ready_up_to_date_and_available(arrange: Arrange) -> None:
    arrange(kubia(minReadySeconds=30))
    table = cli("get", "deploy").stdout.splitlines()
    assert table[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert table[1].split()[:4] == ["kubia", "3/3", "3", "0"]
    wide = cli("get", "deploy", "-o", "wide").stdout.splitlines()
    assert wide[1].split()[5:] == ["nodejs", "luksa/kubia:v1", "app=kubia"]
