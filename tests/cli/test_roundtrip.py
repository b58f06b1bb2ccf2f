"""`get -o yaml` of an applied object, applied again, changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from reconciler.api.apply import Action, Manifest, apply
from reconciler.api.inventory import source_id_for
from reconciler.cli.app import app
from reconciler.cli.context import cluster_from_cli
from reconciler.source.dump import to_yaml
from reconciler.source.editor import read_document
from tests import kubia
from tests.cli.workloads import kubia_rc

runner = CliRunner()

SERVICE = kubia.service()


def apply_file(path: Path) -> Action:
    with cluster_from_cli() as cluster:
        report = apply(
            cluster.api,
            [Manifest(read_document(path, 0), str(path), 0)],
            source_id=source_id_for([path]),
        )
        cluster.advance()
    assert report.ok, report.failures
    (outcome,) = report.outcomes
    return outcome.action


@pytest.mark.parametrize(
    ("kind", "name", "manifest"),
    [
        ("rc", "kubia", kubia_rc()),
        ("svc", "kubia-http", SERVICE),
    ],
)
def test_applying_what_get_o_yaml_printed_is_unchanged(
    instant_cluster: Path, tmp_path: Path, kind: str, name: str, manifest: dict[str, object]
) -> None:
    source = tmp_path / "source.yaml"
    source.write_text(to_yaml(manifest))
    assert apply_file(source) is Action.CREATED
    printed = runner.invoke(app, ["get", kind, name, "-o", "yaml"])
    assert printed.exit_code == 0, printed.output
    exported = tmp_path / "exported.yaml"
    exported.write_text(printed.stdout)
    assert apply_file(exported) is Action.UNCHANGED
