"""The objects `run` and `expose` make, as kubectl's generators make them, and creating them.

`run` makes a Pod labelled `run=NAME` (kubectl today) or, with the book's `--generator run/v1`,
a ReplicationController (kubectl 1.x); `expose` makes a Service selecting what a workload
selects (a pod: its labels), its port taken from the containers when not given. `create_or_save`
creates the object like `kubectl create`, or - to keep the folder the source of truth - writes
its manifest into a folder and applies that file, so a later `apply` of the folder sees it
unchanged and `scale` can edit it. Called by the CLI; prints nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from reconciler.api import inventory as inventories
from reconciler.api.apply import Manifest, apply
from reconciler.api.server import Api
from reconciler.errors import AlreadyExists, ReconcilerError, UsageError
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.kinds import kind_info
from reconciler.source.dump import to_yaml


class Generator(StrEnum):
    """kubectl run's generators: a pod (today's default), or the book's replication controller."""

    POD = "run-pod/v1"
    REPLICATION_CONTROLLER = "run/v1"


class ServiceType(StrEnum):
    CLUSTER_IP = "ClusterIP"
    NODE_PORT = "NodePort"
    LOAD_BALANCER = "LoadBalancer"


def parse_labels(text: str) -> dict[str, str]:
    """`a=b,c=d` as kubectl run's `--labels` takes it."""
    labels: dict[str, str] = {}
    for part in filter(None, text.split(",")):
        key, equals, value = part.partition("=")
        if not equals or not key:
            raise UsageError(f"invalid label spec: {part}")
        labels[key.strip()] = value.strip()
    return labels


def run_object(
    name: str,
    image: str,
    *,
    generator: Generator = Generator.POD,
    port: int | None = None,
    replicas: int = 1,
    labels: Mapping[str, str] | None = None,
) -> Obj:
    """The Pod or ReplicationController `kubectl run` would create."""
    chosen = dict(labels or {"run": name})
    container: dict[str, Any] = {"image": image, "name": name}
    if port is not None:
        container["ports"] = [{"containerPort": port}]
    pod_spec = {"containers": [container]}
    if generator is Generator.POD:
        if replicas != 1:
            raise UsageError("--replicas needs --generator run/v1 (a pod is one replica)")
        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"labels": chosen, "name": name},
            "spec": pod_spec,
        }
    return {
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": {"labels": chosen, "name": name},
        "spec": {
            "replicas": replicas,
            "selector": dict(chosen),
            "template": {"metadata": {"labels": dict(chosen)}, "spec": pod_spec},
        },
    }


def _selector_of(obj: Obj) -> dict[str, str]:
    kind = obj["kind"]
    if kind == "Pod":
        labels = (obj["metadata"].get("labels") or {}).copy()
        if not labels:
            raise UsageError(
                "couldn't retrieve selectors via --selector flag or introspection: the pod has "
                "no labels and cannot be exposed"
            )
        return dict(labels)
    selector = (obj.get("spec") or {}).get("selector") or {}
    if kind == "ReplicationController":
        return dict(selector)
    if selector.get("matchExpressions"):
        raise UsageError(
            "couldn't retrieve selectors via --selector flag or introspection: the "
            f"{kind} selector has matchExpressions, which a service selector cannot express"
        )
    return dict(selector.get("matchLabels") or {})


def _container_ports(obj: Obj) -> list[dict[str, Any]]:
    spec = obj.get("spec") or {}
    pod_spec = spec if obj["kind"] == "Pod" else (spec.get("template") or {}).get("spec") or {}
    return [p for c in pod_spec.get("containers") or () for p in c.get("ports") or ()]


def service_for(
    workload: Obj,
    *,
    name: str | None = None,
    port: int | None = None,
    target_port: str | None = None,
    service_type: ServiceType = ServiceType.CLUSTER_IP,
) -> Obj:
    """The Service `kubectl expose` makes for a pod, RC, RS or Deployment."""
    if workload["kind"] not in ("Pod", "ReplicationController", "ReplicaSet", "Deployment"):
        raise UsageError(f"cannot expose a {workload['kind']}")
    selector = _selector_of(workload)
    if port is not None:
        ports = [{"port": port, "protocol": "TCP", "targetPort": _port_value(target_port, port)}]
    else:
        found = _container_ports(workload)
        if not found:
            raise UsageError("couldn't find port via --port flag or introspection")
        ports = []
        for number, container_port in enumerate(found, start=1):
            value = container_port["containerPort"]
            entry: dict[str, Any] = {
                "port": value,
                "protocol": container_port.get("protocol", "TCP"),
                "targetPort": _port_value(target_port, value),
            }
            if len(found) > 1:
                entry["name"] = f"port-{number}"
            ports.append(entry)
    metadata: dict[str, Any] = {"name": name or workload["metadata"]["name"]}
    if workload["metadata"].get("labels"):
        metadata["labels"] = dict(workload["metadata"]["labels"])
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata,
        "spec": {"ports": ports, "selector": selector, "type": str(service_type)},
    }


def _port_value(target_port: str | None, default: int) -> int | str:
    if not target_port:
        return default
    return int(target_port) if target_port.isdigit() else target_port


@dataclass(frozen=True)
class Created:
    """The object as stored, and the manifest written for it (None without `--save`)."""

    obj: Obj
    manifest: Path | None = None


def manifest_path(folder: Path, obj: Obj) -> Path:
    """`<folder>/<name>-<short name>.yaml`: `kubia-http-svc.yaml`, `kubia-rc.yaml`."""
    info = kind_info(obj["kind"])
    short = info.short_names[0] if info.short_names else info.singular
    return folder / f"{obj['metadata']['name']}-{short}.yaml"


def create_or_save(
    api: Api, obj: Obj, *, namespace: str = "default", save: Path | None = None
) -> Created:
    """Create `obj`; with `save`, write its manifest into that folder and apply the file as
    `apply -f FOLDER` would (same inventory), so the folder declares it from now on."""
    info = kind_info(obj["kind"])
    key = ObjectKey(info.kind, namespace if info.namespaced else "", obj["metadata"]["name"])
    if save is None:
        placed = {**obj, "metadata": {**obj["metadata"], "namespace": key.namespace}}
        return Created(api.create(placed if info.namespaced else obj))
    if api.find(key) is not None:
        raise AlreadyExists(f'{info.plural} "{key.name}" already exists')
    folder = save.expanduser().resolve()
    if not folder.is_dir():
        raise UsageError(f"--save: {save} is not a folder")
    path = manifest_path(folder, obj)
    if path.exists():
        raise UsageError(f"--save: {path} exists already; not overwriting it")
    path.write_text(to_yaml(obj), encoding="utf-8")
    try:
        report = apply(
            api,
            [Manifest(obj, str(path), 0)],
            source_id=inventories.source_id_for([folder]),
            namespace=namespace,
        )
        if report.failures:
            raise ReconcilerError(report.failures[0].message)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Created(api.get(key), path)
