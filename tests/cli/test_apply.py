"""`reconciler apply` and `reconciler diff` against a real cluster in a temporary home: kubectl's
lines and exit codes, validation before anything is written, prune, --wait and the round trip."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reconciler.cli.app import app
from reconciler.cli.context import cluster_from_cli
from reconciler.errors import Refused
from reconciler.model.keys import ObjectKey
from tests.kubia import rc_yaml, write_folder

runner = CliRunner()


@pytest.fixture
def folder(instant_cluster: Path) -> Path:
    """The kubia app as a folder of manifests, inside the test's home."""
    return write_folder(instant_cluster / "manifests", replicas=2)


def live(kind: str, name: str, namespace: str = "default") -> dict[str, object] | None:
    with cluster_from_cli() as cluster:
        return cluster.api.find(ObjectKey(kind, namespace, name))


def test_apply_prints_one_kubectl_line_per_object_and_a_second_run_changes_nothing(
    folder: Path,
) -> None:
    first = runner.invoke(app, ["apply", "-f", str(folder)])
    assert first.exit_code == 0, first.output
    assert first.stdout == "service/kubia-http created\nreplicationcontroller/kubia created\n"
    second = runner.invoke(app, ["apply", "-f", str(folder)])
    assert second.stdout == "service/kubia-http unchanged\nreplicationcontroller/kubia unchanged\n"


def test_apply_advances_the_cluster_so_the_pods_exist_when_it_returns(folder: Path) -> None:
    runner.invoke(app, ["apply", "-f", str(folder / "kubia-rc.yaml")])
    listed = runner.invoke(app, ["get", "pods", "-l", "app=kubia"])
    assert len(listed.stdout.splitlines()) == 3


def test_a_changed_manifest_is_configured(folder: Path) -> None:
    runner.invoke(app, ["apply", "-f", str(folder)])
    (folder / "kubia-rc.yaml").write_text(rc_yaml(3))
    result = runner.invoke(app, ["apply", "-f", str(folder)])
    assert "replicationcontroller/kubia configured\n" in result.stdout


def test_a_dry_run_says_so_and_writes_nothing(folder: Path) -> None:
    result = runner.invoke(app, ["apply", "-f", str(folder), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "service/kubia-http created (dry run)\nreplicationcontroller/kubia created (dry run)\n"
    )
    assert live("ReplicationController", "kubia") is None


def test_manifests_can_come_from_stdin(instant_cluster: Path) -> None:
    result = runner.invoke(app, ["apply", "-f", "-"], input=rc_yaml(1))
    assert result.stdout == "replicationcontroller/kubia created\n"


def test_a_file_with_errors_is_reported_as_validate_reports_it_and_not_applied(
    folder: Path,
) -> None:
    (folder / "broken.yaml").write_text(rc_yaml("three").replace("kubia", "other"))
    validated = runner.invoke(app, ["validate", str(folder)])
    result = runner.invoke(app, ["apply", "-f", str(folder)])
    assert result.exit_code == 1
    assert result.stderr == validated.stdout
    assert live("ReplicationController", "other") is None
    assert result.stdout == "service/kubia-http created\nreplicationcontroller/kubia created\n"


def test_objects_go_in_dependency_order_whatever_the_file_names(instant_cluster: Path) -> None:
    folder = instant_cluster / "app"
    folder.mkdir()
    (folder / "a-pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: test\n"
        "spec:\n  containers:\n  - name: web\n    image: luksa/kubia\n"
    )
    (folder / "z-namespace.yaml").write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: test\n"
    )
    result = runner.invoke(app, ["apply", "-f", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "namespace/test created\npod/web created\n"


def test_prune_deletes_what_the_folder_no_longer_declares(folder: Path) -> None:
    runner.invoke(app, ["apply", "-f", str(folder)])
    (folder / "kubia-svc.yaml").unlink()
    result = runner.invoke(app, ["apply", "-f", str(folder) + "/", "--prune"])
    assert result.stdout == "replicationcontroller/kubia unchanged\nservice/kubia-http pruned\n"
    assert live("Service", "kubia-http") is None


def test_prune_of_an_emptied_folder_is_refused_unless_forced(folder: Path) -> None:
    runner.invoke(app, ["apply", "-f", str(folder)])
    for manifest in folder.iterdir():
        manifest.unlink()
    refused = runner.invoke(app, ["apply", "-f", str(folder), "--prune"])
    assert isinstance(refused.exception, Refused)
    assert "--force-prune-all" in str(refused.exception)
    assert live("Service", "kubia-http") is not None
    forced = runner.invoke(app, ["apply", "-f", str(folder), "--prune", "--force-prune-all"])
    assert sorted(forced.stdout.splitlines()) == [
        "replicationcontroller/kubia pruned",
        "service/kubia-http pruned",
    ]


def test_applying_an_empty_folder_without_prune_is_an_error(instant_cluster: Path) -> None:
    empty = instant_cluster / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["apply", "-f", str(empty)])
    assert "no objects passed to apply" in str(result.exception)


def test_fields_the_simulation_ignores_are_warned_about_on_stderr(instant_cluster: Path) -> None:
    manifest = instant_cluster / "pod.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
        "  - name: web\n    image: luksa/kubia\n  tolerations:\n  - operator: Exists\n"
    )
    result = runner.invoke(app, ["apply", "-f", str(manifest)])
    assert result.stderr == (
        "Warning: the simulated cluster accepts but does not act on tolerations (set in pod/web)\n"
    )


def test_what_get_prints_as_yaml_applies_again_as_unchanged(folder: Path) -> None:
    runner.invoke(app, ["apply", "-f", str(folder)])
    exported = folder.parent / "exported.yaml"
    for name, kind in (("kubia", "rc"), ("kubia-http", "svc")):
        yaml = runner.invoke(app, ["get", kind, name, "-o", "yaml"]).stdout
        exported.write_text(yaml)
        result = runner.invoke(app, ["apply", "-f", str(exported)])
        assert result.stdout.endswith(" unchanged\n"), result.output


def test_wait_returns_once_the_applied_workloads_are_ready(folder: Path) -> None:
    result = runner.invoke(app, ["apply", "-f", str(folder), "--wait", "--timeout", "30s"])
    assert result.exit_code == 0, result.output
    assert "replicationcontroller/kubia ready (2/2)\n" in result.stdout
    assert re.search(r"service/kubia-http ready \(\d+\.\d+\.\d+\.\d+\)\n", result.stdout)


def test_wait_gives_up_at_the_timeout_naming_what_is_not_ready(instant_cluster: Path) -> None:
    manifest = instant_cluster / "pod.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: stuck\nspec:\n  nodeSelector:\n"
        "    disk: ssd\n  containers:\n  - name: web\n    image: luksa/kubia\n"
    )
    result = runner.invoke(app, ["apply", "-f", str(manifest), "--wait", "--timeout", "0s"])
    assert result.exit_code == 1
    assert result.stderr == "error: timed out after 0s waiting for pod/stuck (0/1)\n"


# -- diff -----------------------------------------------------------------------------------------


def test_diff_exits_0_when_apply_would_change_nothing(folder: Path) -> None:
    runner.invoke(app, ["apply", "-f", str(folder)])
    result = runner.invoke(app, ["diff", "-f", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_diff_exits_1_and_prints_a_unified_diff_of_live_and_merged(folder: Path) -> None:
    runner.invoke(app, ["apply", "-f", str(folder)])
    (folder / "kubia-rc.yaml").write_text(rc_yaml(5))
    result = runner.invoke(app, ["diff", "-f", str(folder)])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert re.fullmatch(
        r"diff -u -N /\S+/LIVE-\d+/v1\.ReplicationController\.default\.kubia "
        r"/\S+/MERGED-\d+/v1\.ReplicationController\.default\.kubia",
        lines[0],
    )
    assert lines[1].startswith("--- ") and lines[2].startswith("+++ ")
    assert "-  replicas: 2" in lines
    assert "+  replicas: 5" in lines
    assert "-  generation: 1" in lines and "+  generation: 2" in lines
    assert not any("resourceVersion" in line for line in lines if line[:1] in "+-")
    assert live("ReplicationController", "kubia")["spec"]["replicas"] == 2  # type: ignore[index]


def test_diff_of_a_new_object_diffs_against_nothing(folder: Path) -> None:
    result = runner.invoke(app, ["diff", "-f", str(folder / "kubia-svc.yaml")])
    assert result.exit_code == 1
    assert "+kind: Service\n" in result.stdout
    assert "@@ -0,0 +1," in result.stdout


def test_diff_exits_2_on_errors(folder: Path) -> None:
    missing = runner.invoke(app, ["diff", "-f", str(folder / "nope.yaml")])
    assert missing.exit_code == 2
    assert "no such file or directory" in missing.stderr
    (folder / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: absent\n"
        "spec:\n  containers:\n  - name: web\n    image: luksa/kubia\n"
    )
    failing = runner.invoke(app, ["diff", "-f", str(folder / "pod.yaml")])
    assert failing.exit_code == 2
    assert 'namespaces "absent" not found' in failing.stderr
