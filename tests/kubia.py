"""The kubia app of "Kubernetes in Action", as the tests arrange it.

The book's ReplicationController (chapter 4), its LoadBalancer service `kubia-http` (chapter 5)
and its Deployment (chapter 9): as YAML text, written the way a learner writes it (tests assert
lines and columns in it, so each builder's output stays the same text), as dicts for the api,
and as a folder of manifest files. Plain functions: tests import them as `tests.kubia` and
change what they need with `str.replace` on a fresh copy.
"""

from __future__ import annotations

from pathlib import Path

from reconciler.model.keys import Obj, ObjectKey

RC_KEY = ObjectKey("ReplicationController", "default", "kubia")
SVC_KEY = ObjectKey("Service", "default", "kubia-http")
DEPLOYMENT_KEY = ObjectKey("Deployment", "default", "kubia")
RC_FILE = "kubia-rc.yaml"
SVC_FILE = "kubia-svc.yaml"


def rc_yaml(replicas: int | str = 3) -> str:
    """The ReplicationController; `replicas` is written as given (`"three"` makes it invalid)."""
    return f"""\
apiVersion: v1
kind: ReplicationController
metadata:
  name: kubia
spec:
  replicas: {replicas}
  selector:
    app: kubia
  template:
    metadata:
      labels:
        app: kubia
    spec:
      containers:
      - name: kubia
        image: luksa/kubia
        ports:
        - containerPort: 8080
"""


def service_yaml(name: str = "kubia-http") -> str:
    """The LoadBalancer service in front of the kubia pods."""
    return f"""\
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  type: LoadBalancer
  selector:
    app: kubia
  ports:
  - port: 80
    targetPort: 8080
"""


def deployment_yaml(image: str = "luksa/kubia:v1") -> str:
    """The Deployment; `image` is written as given, so a test of round-trip editing can quote it
    or follow it with a comment."""
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kubia
spec:
  replicas: 3
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
      - image: {image}
        name: nodejs
"""


def write_folder(root: Path, *, replicas: int = 3) -> Path:
    """`root` made and holding the RC and the service, one file each; returns `root`."""
    root.mkdir()
    (root / RC_FILE).write_text(rc_yaml(replicas))
    (root / SVC_FILE).write_text(service_yaml())
    return root


def rc(*, ports: bool = True) -> Obj:
    """The ReplicationController (3 replicas) as the api takes it; without `ports` the container
    has only a name and an image."""
    container: Obj = {"name": "kubia", "image": "luksa/kubia"}
    if ports:
        container["ports"] = [{"containerPort": 8080}]
    return {
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": {"name": "kubia"},
        "spec": {
            "replicas": 3,
            "selector": {"app": "kubia"},
            "template": {
                "metadata": {"labels": {"app": "kubia"}},
                "spec": {"containers": [container]},
            },
        },
    }


def service() -> Obj:
    """The LoadBalancer service as the api takes it."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "kubia-http"},
        "spec": {
            "type": "LoadBalancer",
            "selector": {"app": "kubia"},
            "ports": [{"port": 80, "targetPort": 8080}],
        },
    }
