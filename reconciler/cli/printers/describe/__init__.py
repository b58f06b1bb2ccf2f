"""`kubectl describe TYPE NAME`: gather what the layout needs through the api, then print it.

Called by the `describe` command. Each kind's layout lives in a sibling module (pods, workloads,
network, cluster) and is pure; this module only reads: the object's events (matched on the
involved object, as kubectl's searchEvents does), a controller's pods, a service's Endpoints, a
node's pods, a deployment's replica sets (the new one: the oldest running its template; old
ones: all the others, in name order, as kubectl lists them since 1.27). It never writes.
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.api.rollout import replica_sets_of
from reconciler.api.server import Api
from reconciler.cli.printers.describe.cluster import describe_namespace, describe_node
from reconciler.cli.printers.describe.network import describe_endpoints, describe_service
from reconciler.cli.printers.describe.pods import describe_pod
from reconciler.cli.printers.describe.workloads import describe_deployment, describe_replication
from reconciler.cli.printers.describe.writer import (
    PrefixWriter,
    events_table,
    object_header,
)
from reconciler.model.deployments import new_replica_set
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.selectors import from_label_selector, from_map

TERMINAL_PHASES = ("Succeeded", "Failed")


def events_for(api: Api, obj: Obj) -> list[Obj]:
    """The events whose involvedObject is `obj` (same kind and name, and same uid when the event
    names one - node events from kubelets use the node's name as uid)."""
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace") or "default"
    uid = meta.get("uid")
    found = []
    for event in api.list("Event", namespace):
        involved = event.get("involvedObject") or {}
        if involved.get("kind") != obj.get("kind") or involved.get("name") != meta.get("name"):
            continue
        if involved.get("uid") not in (None, "", uid, meta.get("name")):
            continue
        found.append(event)
    return found


def describe(api: Api, key: ObjectKey, *, now: float) -> str:
    """The description of one object; NotFound when it does not exist."""
    obj = api.get(key)
    events = events_for(api, obj)
    namespace = key.namespace
    if key.kind == "Pod":
        return describe_pod(obj, events, now=now)
    if key.kind == "ReplicationController":
        pods = api.list("Pod", namespace, from_map((obj.get("spec") or {}).get("selector")))
        return describe_replication(obj, pods, events=events, now=now)
    if key.kind == "ReplicaSet":
        selector = from_label_selector((obj.get("spec") or {}).get("selector"))
        pods = api.list("Pod", namespace, selector)
        return describe_replication(obj, pods, events=events, now=now)
    if key.kind == "Deployment":
        owned = replica_sets_of(api, obj)
        new = new_replica_set(obj, owned)
        old = [rs for rs in owned if new is None or rs["metadata"]["uid"] != new["metadata"]["uid"]]
        return describe_deployment(
            obj,
            old_replica_sets=old,
            new_replica_sets=[] if new is None else [new],
            events=events,
            now=now,
        )
    if key.kind == "Service":
        endpoints = api.find(ObjectKey("Endpoints", namespace, key.name))
        return describe_service(obj, endpoints, events=events, now=now)
    if key.kind == "Endpoints":
        return describe_endpoints(obj, events, now=now)
    if key.kind == "Node":
        pods = [
            pod
            for pod in api.list("Pod")
            if (pod.get("spec") or {}).get("nodeName") == key.name
            and (pod.get("status") or {}).get("phase") not in TERMINAL_PHASES
        ]
        return describe_node(obj, pods, events=events, now=now)
    if key.kind == "Namespace":
        return describe_namespace(obj)
    return _generic(obj, events, now)


GENERIC_SKIPPED = (
    ".metadata.managedFields",
    ".metadata.name",
    ".metadata.namespace",
    ".metadata.labels",
    ".metadata.annotations",
)
ACRONYMS = ("API", "URL", "UID", "GUID")


def smart_label(field: str) -> str:
    """kubectl's smartLabelFor: `apiVersion` -> `API Version`, `firstTimestamp` ->
    `First Timestamp`; fields with other characters than letters stay as they are."""
    if not field.replace("-", "").isalpha():
        return field
    parts = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[A-Z]+", field)
    words = []
    for part in parts:
        if part.upper() in ACRONYMS:
            words.append(part.upper())
        elif part.islower():
            words.append(part.capitalize())
        else:
            words.append(part)
    return " ".join(words)


def _content(w: PrefixWriter, level: int, content: dict[str, Any], prefix: str) -> None:
    """printUnstructuredContent: every field, sorted, nested maps indented."""
    for field in sorted(content):
        value, path = content[field], f"{prefix}.{field}"
        if path in GENERIC_SKIPPED:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            _content(w, level + 1, value, path)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for item in value:
                if isinstance(item, dict):
                    _content(w, level + 1, item, path)
                else:
                    w.write(level + 1, f"{item}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{value}\n")


def _generic(obj: Obj, events: list[Obj], now: float) -> str:
    """Kinds without a layout of their own (events), as kubectl's generic describer prints
    them: name, namespace, labels, annotations, then every other field."""
    meta = obj.get("metadata") or {}
    w = PrefixWriter()
    object_header(w, meta)
    _content(w, 0, obj, "")
    events_table(w, events, now=now)
    return w.text()
