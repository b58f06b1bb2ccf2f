"""Simulated node failure: stopping and starting a node's kubelet, and what a node's silence means.

`reconciler cluster node stop NAME` calls `stop_node`: the kubelet stops (no more status, no more
work on its pods, its pods unreachable over the network). The node lifecycle controller notices
after the grace period (controllers/node_lifecycle.py). `start_node` brings the kubelet back; it
posts Ready again and finishes what waited (cluster/kubelet.py).

Heartbeats are lazy, so that an idle cluster costs nothing to advance: a running kubelet does not
write its node every heartbeat interval. Its heartbeats are implied: they happen every
`Timing.heartbeat_interval` from the `lastHeartbeatTime` last written, for as long as the kubelet
runs. Stopping the kubelet writes the last heartbeat that really happened (the last tick before
the stop), and the node lifecycle controller counts the grace period from there, exactly as if
the kubelet had written every one. `lastHeartbeatTime` is otherwise refreshed whenever the kubelet
writes its node's status for another reason (image list, coming back).
The kubelet's state is an annotation, `reconciler.dev/kubelet`: absent or "running", "stopped",
or "starting" (started, not yet reported Ready).
"""

from __future__ import annotations

import math
from enum import StrEnum

from reconciler.api.server import Api
from reconciler.clock import parse_rfc3339, rfc3339
from reconciler.cluster.timing import timing_of
from reconciler.model.conditions import condition_of
from reconciler.model.keys import Obj, ObjectKey

KUBELET_ANNOTATION = "reconciler.dev/kubelet"


class KubeletState(StrEnum):
    """What the simulated kubelet of a node is doing."""

    RUNNING = "running"
    STOPPED = "stopped"
    STARTING = "starting"


def kubelet_state(node: Obj) -> KubeletState:
    """The node's kubelet state (running when nothing says otherwise)."""
    value = (node["metadata"].get("annotations") or {}).get(KUBELET_ANNOTATION, "running")
    try:
        return KubeletState(value)
    except ValueError:
        return KubeletState.RUNNING


def pods_on(api: Api, node_name: str) -> list[Obj]:
    """The pods bound to a node."""
    return [p for p in api.list("Pod") if (p.get("spec") or {}).get("nodeName") == node_name]


def last_heartbeat(api: Api, node: Obj) -> float:
    """When the node's kubelet last posted status: the written heartbeat, moved on by whole
    heartbeat intervals while the kubelet runs (see the module docstring)."""
    ready = condition_of(node, "Ready") or {}
    written = parse_rfc3339(ready.get("lastHeartbeatTime") or rfc3339(api.clock.now()))
    if kubelet_state(node) is KubeletState.STOPPED:
        return written
    interval = timing_of(api).heartbeat_interval
    now = api.clock.now()
    if interval <= 0 or now <= written:
        return written
    return written + math.floor((now - written) / interval) * interval


def _set_kubelet_state(api: Api, node: Obj, state: KubeletState) -> Obj:
    node["metadata"].setdefault("annotations", {})[KUBELET_ANNOTATION] = state.value
    return api.patch_metadata(node)


def stop_node(api: Api, name: str) -> Obj:
    """Stop a node's kubelet (NotFound for an unknown node); stopping a stopped one is a no-op."""
    with api.store.transaction():
        node = api.get(ObjectKey("Node", "", name))
        if kubelet_state(node) is KubeletState.STOPPED:
            return node
        beat = rfc3339(last_heartbeat(api, node))
        for condition in node["status"].get("conditions") or ():
            condition["lastHeartbeatTime"] = beat
        node = api.update_status(node)
        return _set_kubelet_state(api, node, KubeletState.STOPPED)


def start_node(api: Api, name: str) -> Obj:
    """Start a stopped node's kubelet again; starting a running one is a no-op."""
    with api.store.transaction():
        node = api.get(ObjectKey("Node", "", name))
        if kubelet_state(node) is not KubeletState.STOPPED:
            return node
        return _set_kubelet_state(api, node, KubeletState.STARTING)
