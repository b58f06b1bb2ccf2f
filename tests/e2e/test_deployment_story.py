"""The story of "Kubernetes in Action" chapter 9, through the CLI: the kubia Deployment at v1
behind a LoadBalancer service, `set image` to v2 (both versions answer during the rollout, which
`rollout status` follows line by line), then v3 with a readiness probe, which fails after a few
requests, so the rollout stalls, the service stops sending it requests, the progress deadline
passes, and `rollout undo` brings v2 back (the folder, which says v3, wins at the next apply).

Runs in a private $RECONCILER_HOME on an instant cluster; the minutes the story needs pass as
simulated time (`fast_forward`), never by sleeping. One step runs the real `reconciler` process
to check the exit code and stderr line of a rollout past its deadline."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reconciler.cli.app import app
from tests.cli.timetravel import fast_forward
from tests.kubia import deployment_yaml, service_yaml

runner = CliRunner()

DEPLOYMENT_V1 = deployment_yaml()
SERVICE = service_yaml("kubia")

DEPLOYMENT_V3_WITH_READINESS_CHECK = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kubia
spec:
  replicas: 3
  minReadySeconds: 10
  strategy:
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
    type: RollingUpdate
  selector:
    matchLabels:
      app: kubia
  template:
    metadata:
      name: kubia
      labels:
        app: kubia
    spec:
      containers:
      - image: luksa/kubia:v3
        name: nodejs
        readinessProbe:
          periodSeconds: 1
          httpGet:
            path: /
            port: 8080
"""

WAITING = 'Waiting for deployment "kubia" rollout to finish: '
DONE = 'deployment "kubia" successfully rolled out'


def ok(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (args, result.output, result.exception)
    return str(result.stdout)


def versions(answers: str) -> set[str]:
    return set(re.findall(r"This is (v\d) running in pod", answers))


def status_line() -> str:
    return ok("rollout", "status", "deploy/kubia", "--watch=false").strip()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RECONCILER_HOME", str(tmp_path / "state"))
    ok("cluster", "create", "--nodes", "3", "--timing", "instant")
    return tmp_path


def test_the_kubia_rollout_story(home: Path) -> None:
    folder = home / "manifests"
    folder.mkdir()
    manifest = folder / "kubia-deployment.yaml"
    manifest.write_text(DEPLOYMENT_V1)
    (folder / "kubia-svc.yaml").write_text(SERVICE)

    # v1: three pods behind the service
    assert (
        ok("apply", "-f", str(folder)) == "service/kubia created\ndeployment.apps/kubia created\n"
    )
    assert ok("rollout", "status", "deploy/kubia") == f"{DONE}\n"
    (row,) = ok("get", "deploy").splitlines()[1:]
    assert row.split()[:4] == ["kubia", "3/3", "3", "3"]
    assert versions(ok("curl", "svc/kubia", "-c", "10")) == {"v1"}

    # slow the rollout down, as the book does, to watch it: minReadySeconds 10
    manifest.write_text(
        DEPLOYMENT_V1.replace("  replicas: 3\n", "  replicas: 3\n  minReadySeconds: 10\n")
    )
    ok("apply", "-f", str(folder))

    # v2: set image edits the manifest and rolls out; both versions answer meanwhile
    assert ok("set", "image", "deployment", "kubia", "nodejs=luksa/kubia:v2") == (
        "deployment.apps/kubia image updated\n"
    )
    assert "image: luksa/kubia:v2" in manifest.read_text()
    assert status_line() == f"{WAITING}1 out of 3 new replicas have been updated..."
    assert versions(ok("curl", "svc/kubia", "-c", "40")) == {"v1", "v2"}
    seen = [status_line()]
    for _ in range(60):
        fast_forward(1)
        line = status_line()
        if line != seen[-1]:
            seen.append(line)
        if line == DONE:
            break
    assert seen == [
        f"{WAITING}1 out of 3 new replicas have been updated...",
        f"{WAITING}2 out of 3 new replicas have been updated...",
        f"{WAITING}1 old replicas are pending termination...",
        DONE,
    ]
    assert versions(ok("curl", "svc/kubia", "-c", "10")) == {"v2"}

    # v3 with a readiness probe: it fails after a few requests and never becomes available
    manifest.write_text(DEPLOYMENT_V3_WITH_READINESS_CHECK)
    assert ok("apply", "-f", str(folder)) == (
        "service/kubia unchanged\ndeployment.apps/kubia configured\n"
    )
    assert status_line() == f"{WAITING}1 out of 3 new replicas have been updated..."
    fast_forward(10)
    pods = ok("get", "pods").splitlines()[1:]
    v3_hash = _new_hash()
    (v3_pod,) = [row.split() for row in pods if f"kubia-{v3_hash}-" in row]
    assert v3_pod[1] == "0/1"  # no longer ready: the service leaves it out
    assert versions(ok("curl", "svc/kubia", "-c", "20")) == {"v2"}
    assert status_line() == f"{WAITING}1 out of 3 new replicas have been updated..."

    # ten minutes without progress: the deadline is exceeded, `rollout status` fails
    fast_forward(600)
    stalled = subprocess.run(
        [sys.executable, "-m", "reconciler", "rollout", "status", "deploy/kubia"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (stalled.returncode, stalled.stderr) == (
        1,
        'error: deployment "kubia" exceeded its progress deadline\n',
    )
    described = ok("describe", "deploy", "kubia")
    assert "  Progressing    False   ProgressDeadlineExceeded\n" in described

    # undo: v2 again; the folder still says v3 and wins at the next apply
    undone = runner.invoke(app, ["rollout", "undo", "deploy/kubia"])
    assert undone.stdout == "deployment.apps/kubia rolled back\n"
    assert f"came from {manifest}" in undone.stderr
    fast_forward(30)
    assert ok("rollout", "status", "deploy/kubia") == f"{DONE}\n"
    assert versions(ok("curl", "svc/kubia", "-c", "10")) == {"v2"}
    history = ok("rollout", "history", "deploy/kubia").splitlines()
    assert [row.split()[0] for row in history[2:] if row] == ["1", "3", "4"]
    out_of_sync = runner.invoke(app, ["status", str(folder)])
    assert out_of_sync.exit_code == 1
    assert "OutOfSync" in out_of_sync.stdout and "luksa/kubia:v2 -> luksa/kubia:v3" in (
        out_of_sync.stdout
    )


def _new_hash() -> str:
    """The pod-template-hash of the deployment's newest ReplicaSet (highest revision)."""
    rows = ok("get", "rs", "-o", "wide").splitlines()[1:]
    names = [row.split()[0] for row in rows if "luksa/kubia:v3" in row]
    (name,) = names
    return name.removeprefix("kubia-")
