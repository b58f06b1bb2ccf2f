"""Round-trip edits of manifest files: one value changes, every other byte stays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.errors import ManifestError
from reconciler.source.editor import read_document, set_value

KUBIA = """\
# The kubia replication controller (Kubernetes in Action, chapter 4)
apiVersion: v1
kind: ReplicationController
metadata:
  name: kubia      # keep in sync with the service
spec:
  replicas: 3   # three pods

  selector:
    app: kubia
  template:
    metadata:
      labels: {app: kubia}
    spec:
      containers:
        - name: kubia
          image: "luksa/kubia"
---
apiVersion: v1
kind: Service
metadata:
  name: kubia
spec:
  ports:
  - port: 80
"""


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "kubia.yaml"
    path.write_text(KUBIA)
    return path


def test_changing_replicas_keeps_comments_blank_lines_quotes_and_order(manifest: Path) -> None:
    assert set_value(manifest, 0, keys=("spec", "replicas"), value=5) is True
    assert manifest.read_text() == KUBIA.replace("replicas: 3   #", "replicas: 5   #")


def test_setting_the_value_it_already_has_leaves_the_file_alone(manifest: Path) -> None:
    before = manifest.stat().st_mtime_ns
    assert set_value(manifest, 0, keys=("spec", "replicas"), value=3) is False
    assert manifest.read_text() == KUBIA
    assert manifest.stat().st_mtime_ns == before


def test_a_missing_key_is_added_beside_its_siblings(manifest: Path) -> None:
    set_value(manifest, 1, keys=("spec", "replicas"), value=2)
    assert manifest.read_text() == KUBIA.replace(
        "spec:\n  ports:\n  - port: 80\n", "spec:\n  replicas: 2\n  ports:\n  - port: 80\n"
    )
    assert read_document(manifest, 1)["spec"] == {"replicas": 2, "ports": [{"port": 80}]}


def test_other_documents_of_the_file_are_untouched(manifest: Path) -> None:
    set_value(manifest, 0, keys=("spec", "replicas"), value=1)
    assert read_document(manifest, 1) == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kubia"},
        "spec": {"ports": [{"port": 80}]},
    }


def test_flow_style_mappings_are_edited_in_place(tmp_path: Path) -> None:
    path = tmp_path / "rs.yaml"
    path.write_text("kind: ReplicaSet\nspec: {replicas: 1, selector: {matchLabels: {a: b}}}\n")
    set_value(path, 0, keys=("spec", "replicas"), value=4)
    assert (
        path.read_text()
        == "kind: ReplicaSet\nspec: {replicas: 4, selector: {matchLabels: {a: b}}}\n"
    )
    path.write_text("kind: ReplicaSet\nspec: {}\n")
    set_value(path, 0, keys=("spec", "replicas"), value=4)
    assert path.read_text() == "kind: ReplicaSet\nspec: {replicas: 4}\n"


def test_json_manifests_stay_json(tmp_path: Path) -> None:
    path = tmp_path / "rc.json"
    document = {"kind": "ReplicationController", "spec": {"replicas": 1, "selector": {}}}
    path.write_text(json.dumps(document, indent=2) + "\n")
    set_value(path, 0, keys=("spec", "replicas"), value=3)
    assert json.loads(path.read_text())["spec"] == {"replicas": 3, "selector": {}}
    path.write_text('{"kind": "ReplicaSet", "spec": {"selector": {}}}\n')
    set_value(path, 0, keys=("spec", "replicas"), value=3)
    assert path.read_text() == '{"kind": "ReplicaSet", "spec": {"replicas": 3, "selector": {}}}\n'


def test_windows_line_endings_survive(tmp_path: Path) -> None:
    path = tmp_path / "rc.yaml"
    path.write_bytes(b"kind: ReplicationController\r\nspec:\r\n  replicas: 1\r\n")
    set_value(path, 0, keys=("spec", "replicas"), value=2)
    assert path.read_bytes() == b"kind: ReplicationController\r\nspec:\r\n  replicas: 2\r\n"


def test_a_document_without_the_parent_mapping_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text("kind: Pod\nspec: []\n")
    with pytest.raises(ManifestError, match="spec is not a mapping"):
        set_value(path, 0, keys=("spec", "replicas"), value=2)
    assert path.read_text() == "kind: Pod\nspec: []\n"


def test_a_document_index_past_the_end_is_refused(manifest: Path) -> None:
    with pytest.raises(ManifestError, match="there is no document 5"):
        set_value(manifest, 5, keys=("spec", "replicas"), value=2)


def test_an_unparsable_file_points_at_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("spec:\n  replicas: [1\n")
    with pytest.raises(ManifestError) as raised:
        set_value(path, 0, keys=("spec", "replicas"), value=2)
    assert str(raised.value).startswith(f"{path}:")


def test_a_value_inside_a_list_is_reached_by_its_index_and_keeps_its_quotes(
    manifest: Path,
) -> None:
    keys = ("spec", "template", "spec", "containers", 0, "image")
    assert set_value(manifest, 0, keys=keys, value="luksa/kubia:v2") is True
    assert manifest.read_text() == KUBIA.replace('"luksa/kubia"', '"luksa/kubia:v2"')
    assert read_document(manifest, 0)["spec"]["template"]["spec"]["containers"][0] == {
        "name": "kubia",
        "image": "luksa/kubia:v2",
    }


def test_an_index_past_the_end_of_a_list_is_refused(manifest: Path) -> None:
    keys = ("spec", "template", "spec", "containers", 3, "image")
    with pytest.raises(ManifestError, match=r"spec.template.spec.containers\[3\] is not in"):
        set_value(manifest, 0, keys=keys, value="nginx")
    assert manifest.read_text() == KUBIA
