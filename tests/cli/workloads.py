"""Objects the CLI tests arrange: the kubia app of Kubernetes in Action, and small pods."""

from __future__ import annotations

from typing import Any

BROKEN_IMAGE = "registry.example.com/nope"
"""An image no node can pull: its pod never becomes ready."""


def kubia_rc(name: str = "kubia", replicas: int = 2) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [
                        {
                            "name": "kubia",
                            "image": "luksa/kubia",
                            "ports": [{"containerPort": 8080}],
                        }
                    ]
                },
            },
        },
    }


def pod(
    name: str, namespace: str = "default", image: str = "busybox", **labels: str
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {"containers": [{"name": "main", "image": image, "command": ["sleep", "3600"]}]},
    }


def namespace(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
