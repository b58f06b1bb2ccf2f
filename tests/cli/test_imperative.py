"""`scale`, `run` and `expose`: imperative verbs that keep the folder the source of truth."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from reconciler.api.apply import SOURCE, Action, Manifest, apply
from reconciler.api.inventory import source_id_for
from reconciler.cli.app import app
from reconciler.cli.context import cluster_from_cli
from reconciler.errors import AlreadyExists, UsageError
from reconciler.model.keys import Obj, ObjectKey
from reconciler.source.editor import read_document
from tests.cli.conftest import Arrange
from tests.cli.workloads import kubia_rc, pod

runner = CliRunner()

KUBIA_YAML = """\
# kubia, as in chapter 4 of the book
apiVersion: v1
kind: ReplicationController
metadata:
  name: kubia
spec:
  replicas: 2        # how many pods we want
  template:
    metadata:
      labels:
        app: kubia   # the selector is defaulted from these
    spec:
      containers:
      - name: kubia
        image: luksa/kubia
        ports:
        - containerPort: 8080
"""


def apply_folder(folder: Path) -> list[tuple[str, Action]]:
    """Apply every manifest of a folder as `apply -f FOLDER` does; (name, action) per object."""
    manifests = [
        Manifest(read_document(path, 0), str(path), 0) for path in sorted(folder.glob("*.yaml"))
    ]
    with cluster_from_cli() as cluster:
        report = apply(cluster.api, manifests, source_id=source_id_for([folder]))
        cluster.advance()
    assert report.ok, report.failures
    return [(outcome.key.name, outcome.action) for outcome in report.outcomes]


def live(kind: str, name: str) -> Obj:
    with cluster_from_cli() as cluster:
        return cluster.api.get(ObjectKey(kind, "default", name))


def pod_count() -> int:
    with cluster_from_cli() as cluster:
        return len(cluster.api.list("Pod", "default"))


@pytest.fixture
def folder(instant_cluster: Path, tmp_path: Path) -> Path:
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "kubia-rc.yaml").write_text(KUBIA_YAML)
    assert apply_folder(manifests) == [("kubia", Action.CREATED)]
    return manifests


def test_scale_rewrites_only_replicas_in_the_manifest_and_applies_it(folder: Path) -> None:
    result = runner.invoke(app, ["scale", "rc", "kubia", "--replicas", "3"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "replicationcontroller/kubia scaled\n"
    assert (folder / "kubia-rc.yaml").read_text() == KUBIA_YAML.replace(
        "replicas: 2        #", "replicas: 3        #"
    )
    assert live("ReplicationController", "kubia")["spec"]["replicas"] == 3
    assert pod_count() == 3
    assert apply_folder(folder) == [("kubia", Action.UNCHANGED)]


def test_scale_live_changes_only_the_cluster(folder: Path) -> None:
    result = runner.invoke(app, ["scale", "rc/kubia", "--replicas", "1", "--live"])
    assert result.stdout == "replicationcontroller/kubia scaled\n"
    assert (folder / "kubia-rc.yaml").read_text() == KUBIA_YAML
    assert live("ReplicationController", "kubia")["spec"]["replicas"] == 1
    assert pod_count() == 1


def test_scale_of_an_object_without_a_manifest_changes_the_cluster(arrange: Arrange) -> None:
    arrange(kubia_rc(replicas=1))
    result = runner.invoke(app, ["scale", "replicationcontrollers", "kubia", "--replicas", "2"])
    assert result.exit_code == 0, result.output
    assert live("ReplicationController", "kubia")["spec"]["replicas"] == 2


def test_scale_refuses_what_has_no_replicas_and_negative_counts(arrange: Arrange) -> None:
    arrange(pod("web"), kubia_rc())
    refused = runner.invoke(app, ["scale", "pod", "web", "--replicas", "2"])
    assert isinstance(refused.exception, UsageError)
    assert "pods cannot be scaled" in str(refused.exception)
    negative = runner.invoke(app, ["scale", "rc", "kubia", "--replicas", "-1"])
    assert "COUNT must be greater than or equal to 0" in str(negative.exception)


def test_scale_refuses_a_manifest_that_is_gone(folder: Path) -> None:
    (folder / "kubia-rc.yaml").unlink()
    result = runner.invoke(app, ["scale", "rc", "kubia", "--replicas", "3"])
    assert "use --live to change only the cluster" in str(result.exception)


def test_run_with_generator_run_v1_creates_a_replication_controller(
    instant_cluster: object,
) -> None:
    result = runner.invoke(
        app, ["run", "kubia", "--image", "luksa/kubia", "--port", "8080", "--generator", "run/v1"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == 'replicationcontroller "kubia" created\n'
    rc = live("ReplicationController", "kubia")
    assert rc["metadata"]["labels"] == {"run": "kubia"}
    assert rc["spec"]["selector"] == {"run": "kubia"}
    container = rc["spec"]["template"]["spec"]["containers"][0]
    assert (container["name"], container["image"]) == ("kubia", "luksa/kubia")
    assert container["ports"][0]["containerPort"] == 8080
    assert pod_count() == 1


def test_run_creates_a_pod_labelled_run_name(instant_cluster: object) -> None:
    result = runner.invoke(app, ["run", "web", "--image", "nginx"])
    assert result.stdout == "pod/web created\n"
    assert live("Pod", "web")["metadata"]["labels"] == {"run": "web"}


def test_run_refuses_unknown_generators_and_replicas_for_a_pod(instant_cluster: object) -> None:
    unknown = runner.invoke(app, ["run", "web", "--image", "nginx", "--generator", "deploy/v1"])
    assert str(unknown.exception) == 'generator "deploy/v1" not found'
    many = runner.invoke(app, ["run", "web", "--image", "nginx", "--replicas", "3"])
    assert "--replicas needs --generator run/v1" in str(many.exception)


def test_expose_selects_what_the_workload_selects_and_takes_its_port(arrange: Arrange) -> None:
    arrange(kubia_rc())
    result = runner.invoke(
        app, ["expose", "rc", "kubia", "--type", "LoadBalancer", "--name", "kubia-http"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "service/kubia-http exposed\n"
    spec = live("Service", "kubia-http")["spec"]
    assert spec["selector"] == {"app": "kubia"}
    assert spec["type"] == "LoadBalancer"
    assert [(p["port"], p["targetPort"]) for p in spec["ports"]] == [(8080, 8080)]


def test_expose_a_pod_uses_its_labels_and_needs_a_port(arrange: Arrange) -> None:
    arrange(pod("web", app="web"), pod("bare"))
    exposed = runner.invoke(app, ["expose", "pod", "web", "--port", "80", "--target-port", "8080"])
    assert exposed.stdout == "service/web exposed\n"
    spec = live("Service", "web")["spec"]
    assert spec["selector"] == {"app": "web"}
    assert [(p["port"], p["targetPort"]) for p in spec["ports"]] == [(80, 8080)]
    no_port = runner.invoke(app, ["expose", "pod", "web", "--name", "other"])
    assert str(no_port.exception) == "couldn't find port via --port flag or introspection"
    no_labels = runner.invoke(app, ["expose", "pod", "bare", "--port", "80"])
    assert "the pod has no labels and cannot be exposed" in str(no_labels.exception)


def test_expose_save_writes_a_manifest_the_folder_then_declares(folder: Path) -> None:
    result = runner.invoke(
        app,
        [
            "expose",
            "rc",
            "kubia",
            "--type",
            "NodePort",
            "--name",
            "kubia-np",
            "--save",
            str(folder),
        ],
    )
    assert result.exit_code == 0, result.output
    saved = folder / "kubia-np-svc.yaml"
    assert saved.read_text() == (
        "apiVersion: v1\n"
        "kind: Service\n"
        "metadata:\n"
        "  labels:\n"
        "    app: kubia\n"
        "  name: kubia-np\n"
        "spec:\n"
        "  ports:\n"
        "  - port: 8080\n"
        "    protocol: TCP\n"
        "    targetPort: 8080\n"
        "  selector:\n"
        "    app: kubia\n"
        "  type: NodePort\n"
    )
    service = live("Service", "kubia-np")
    assert service["metadata"]["annotations"][SOURCE] == f"{saved}#0"
    assert sorted(apply_folder(folder)) == [
        ("kubia", Action.UNCHANGED),
        ("kubia-np", Action.UNCHANGED),
    ]


def test_run_save_writes_the_replication_controller_manifest(folder: Path) -> None:
    result = runner.invoke(
        app,
        [
            "run",
            "web",
            "--image",
            "nginx",
            "--generator",
            "run/v1",
            "--replicas",
            "2",
            "--save",
            str(folder),
        ],
    )
    assert result.exit_code == 0, result.output
    assert read_document(folder / "web-rc.yaml", 0)["spec"]["replicas"] == 2
    assert ("web", Action.UNCHANGED) in apply_folder(folder)
    scaled = runner.invoke(app, ["scale", "rc", "web", "--replicas", "3"])
    assert scaled.exit_code == 0, scaled.output
    assert read_document(folder / "web-rc.yaml", 0)["spec"]["replicas"] == 3


def test_save_never_overwrites_a_file_and_never_duplicates_an_object(folder: Path) -> None:
    again = runner.invoke(
        app, ["run", "kubia", "--image", "nginx", "--generator", "run/v1", "--save", str(folder)]
    )
    assert isinstance(again.exception, AlreadyExists)
    assert (folder / "kubia-rc.yaml").read_text() == KUBIA_YAML
    runner.invoke(app, ["delete", "rc", "kubia"])
    clash = runner.invoke(
        app, ["run", "kubia", "--image", "nginx", "--generator", "run/v1", "--save", str(folder)]
    )
    assert isinstance(clash.exception, UsageError)
    assert "exists already; not overwriting it" in str(clash.exception)
    assert (folder / "kubia-rc.yaml").read_text() == KUBIA_YAML


def test_scale_refuses_a_manifest_that_now_declares_something_else(folder: Path) -> None:
    other = KUBIA_YAML.replace("name: kubia\n", "name: renamed\n", 1)
    (folder / "kubia-rc.yaml").write_text(other)
    result = runner.invoke(app, ["scale", "rc", "kubia", "--replicas", "5"])
    assert "no longer declares replicationcontroller/kubia" in str(result.exception)
    assert (folder / "kubia-rc.yaml").read_text() == other
