"""`delete`, `label`, `annotate` and `wait` against a real cluster: kubectl's lines, cascading,
overwrite rules, conditions and timeouts."""

from __future__ import annotations

import os
from pathlib import Path

from typer.testing import CliRunner

from reconciler.cli.app import app
from reconciler.cli.context import cluster_from_cli
from reconciler.errors import ReconcilerError, UsageError
from reconciler.model.keys import Obj, ObjectKey
from reconciler.source.dump import to_yaml
from tests.cli.conftest import Arrange
from tests.cli.workloads import BROKEN_IMAGE, kubia_rc, pod

runner = CliRunner()


def live(kind: str, name: str) -> Obj | None:
    with cluster_from_cli() as cluster:
        return cluster.api.find(ObjectKey(kind, "default" if kind != "Node" else "", name))


def pods() -> list[Obj]:
    with cluster_from_cli() as cluster:
        return cluster.api.list("Pod", "default")


def test_deleting_a_replication_controller_deletes_its_pods(arrange: Arrange) -> None:
    arrange(kubia_rc(replicas=2))
    result = runner.invoke(app, ["delete", "rc", "kubia"])
    assert result.exit_code == 0, result.output
    assert result.stdout == 'replicationcontroller "kubia" deleted\n'
    assert live("ReplicationController", "kubia") is None
    assert pods() == []


def test_orphan_cascade_keeps_the_pods_without_their_owner(arrange: Arrange) -> None:
    arrange(kubia_rc(replicas=2))
    result = runner.invoke(app, ["delete", "rc/kubia", "--cascade=orphan"])
    assert result.exit_code == 0, result.output
    kept = pods()
    assert len(kept) == 2
    assert all(not p["metadata"].get("ownerReferences") for p in kept)


def test_delete_by_selector_and_all(arrange: Arrange) -> None:
    arrange(pod("a", app="x"), pod("b", app="y"), pod("c", app="y"))
    chosen = runner.invoke(app, ["delete", "pods", "-l", "app=y"])
    assert chosen.stdout == 'pod "b" deleted\npod "c" deleted\n'
    assert [p["metadata"]["name"] for p in pods()] == ["a"]
    assert runner.invoke(app, ["delete", "pods", "--all"]).stdout == 'pod "a" deleted\n'
    nothing = runner.invoke(app, ["delete", "pods", "--all"])
    assert nothing.stderr == "No resources found in default namespace\n"


def test_deleting_a_missing_object_is_not_found_with_exit_1(instant_cluster: object) -> None:
    result = runner.invoke(app, ["delete", "pod", "ghost"])
    assert result.exit_code == 1
    assert result.stderr == 'Error from server (NotFound): pods "ghost" not found\n'


def test_delete_needs_names_a_selector_or_all(instant_cluster: object) -> None:
    assert "no name was specified" in str(runner.invoke(app, ["delete", "pods"]).exception)
    bad = runner.invoke(app, ["delete", "pod", "a", "--cascade=sometimes"])
    assert str(bad.exception) == (
        'invalid cascade value (sometimes). Must be "background", "foreground", or "orphan".'
    )


def test_label_sets_and_removes_labels_as_kubectl(arrange: Arrange) -> None:
    arrange(pod("web", app="kubia"))
    assert runner.invoke(app, ["label", "pod", "web", "env=debug"]).stdout == ("pod/web labeled\n")
    assert live("Pod", "web")["metadata"]["labels"] == {"app": "kubia", "env": "debug"}  # type: ignore[index]
    assert runner.invoke(app, ["label", "pod/web", "env-"]).stdout == "pod/web unlabeled\n"
    missing = runner.invoke(app, ["label", "pod/web", "nothere-"])
    assert missing.stdout == 'label "nothere" not found.\npod/web not labeled\n'


def test_label_refuses_to_overwrite_without_the_flag(arrange: Arrange) -> None:
    arrange(pod("web", app="kubia"))
    refused = runner.invoke(app, ["label", "pod", "web", "app=foo"])
    assert isinstance(refused.exception, UsageError)
    assert str(refused.exception) == "'app' already has a value (kubia), and --overwrite is false"
    overwritten = runner.invoke(app, ["label", "pod", "web", "app=foo", "--overwrite"])
    assert overwritten.stdout == "pod/web labeled\n"
    assert live("Pod", "web")["metadata"]["labels"] == {"app": "foo"}  # type: ignore[index]


def test_a_relabelled_pod_leaves_its_replication_controller(arrange: Arrange) -> None:
    arrange(kubia_rc(replicas=1))
    (first,) = pods()
    name = first["metadata"]["name"]
    runner.invoke(app, ["label", "pod", name, "app=foo", "--overwrite"])
    names = {p["metadata"]["name"]: p["metadata"]["labels"]["app"] for p in pods()}
    assert names[name] == "foo"
    assert sorted(names.values()) == ["foo", "kubia"]


def test_label_rejects_bad_values_and_empty_updates(arrange: Arrange) -> None:
    arrange(pod("web"))
    bad = runner.invoke(app, ["label", "pod", "web", "app=not valid!"])
    assert str(bad.exception).startswith('invalid label value: "app=not valid!": a valid label')
    none = runner.invoke(app, ["label", "pod", "web"])
    assert str(none.exception) == "at least one label update is required"


def test_annotate_says_annotated_and_guards_changed_values(arrange: Arrange) -> None:
    arrange(pod("web"))
    first = runner.invoke(app, ["annotate", "pod", "web", "note=hello world"])
    assert first.stdout == "pod/web annotated\n"
    same = runner.invoke(app, ["annotate", "pod", "web", "note=hello world"])
    assert same.stdout == "pod/web annotated\n"
    changed = runner.invoke(app, ["annotate", "pod", "web", "note=bye"])
    assert str(changed.exception) == (
        "--overwrite is false but found the following declared annotation(s): "
        "'note' already has a value (hello world)"
    )
    annotations = live("Pod", "web")["metadata"]["annotations"]  # type: ignore[index]
    assert annotations == {"note": "hello world"}


def test_wait_reports_each_object_meeting_the_condition(arrange: Arrange) -> None:
    arrange(kubia_rc(replicas=2))
    result = runner.invoke(app, ["wait", "--for=condition=Ready", "pod", "-l", "app=kubia"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("pod/kubia-") and line.endswith(" condition met") for line in lines)


def test_wait_times_out_in_kubectl_words(arrange: Arrange) -> None:
    arrange(pod("broken", image=BROKEN_IMAGE))
    result = runner.invoke(app, ["wait", "--for=condition=Ready", "pod/broken", "--timeout=0"])
    assert isinstance(result.exception, ReconcilerError)
    assert str(result.exception) == "timed out waiting for the condition on pods/broken"
    assert result.exit_code == 1


def test_wait_for_delete_is_met_once_the_object_is_gone(arrange: Arrange) -> None:
    arrange(pod("web"))
    runner.invoke(app, ["delete", "pod", "web", "--no-wait"])
    result = runner.invoke(app, ["wait", "--for=delete", "pod/web", "--timeout=10s"])
    assert result.exit_code == 0, result.output


def test_wait_with_nothing_matching_says_so(instant_cluster: object) -> None:
    result = runner.invoke(app, ["wait", "--for=condition=Ready", "pod", "-l", "app=none"])
    assert str(result.exception) == "no matching resources found"


def test_delete_f_deletes_what_the_files_declare(arrange: Arrange, tmp_path: Path) -> None:
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "kubia-rc.yaml").write_text(to_yaml(kubia_rc(replicas=1)))
    (manifests / "web-pod.yaml").write_text(to_yaml(pod("web")))
    arrange(kubia_rc(replicas=1), pod("web"))
    result = runner.invoke(app, ["delete", "-f", str(manifests)])
    assert result.exit_code == 0, result.output
    assert sorted(result.stdout.splitlines()) == [
        'pod "web" deleted',
        'replicationcontroller "kubia" deleted',
    ]
    assert pods() == []
    again = runner.invoke(app, ["delete", "-f", str(manifests / "web-pod.yaml")])
    assert again.exit_code == 1
    assert again.stderr == (
        'Error from server (NotFound): error when deleting "'
        + os.path.relpath(manifests / "web-pod.yaml")
        + '": pods "web" not found\n'
    )
    quiet = runner.invoke(app, ["delete", "-f", str(manifests), "--ignore-not-found"])
    assert (quiet.exit_code, quiet.output) == (0, "")
