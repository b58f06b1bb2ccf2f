"""The node lifecycle controller: a silent node goes NotReady, and its pods are evicted.

As kube-controller-manager's node lifecycle and taint-eviction controllers do: once a node's
kubelet has not posted status for `node_monitor_grace_period` (from its last heartbeat, see
cluster/node_failure.py), its conditions turn Unknown ("Kubelet stopped posting node status."),
it is tainted `node.kubernetes.io/unreachable` (NoSchedule and NoExecute), its pods are marked
not ready, and each pod is marked for deletion once it has tolerated the NoExecute taint long
enough. The eviction only sets the deletion mark: with no kubelet to finish them the pods stay
Terminating until the node comes back, while their controllers, which do not count terminating
pods, replace them elsewhere. When the node is Ready again the taints are removed.

Toleration time: a pod's own toleration of the unreachable taint (tolerationSeconds, or none for
"forever") when it has one; otherwise the cluster timing's `eviction_toleration`, standing in for
the 300 s tolerations the DefaultTolerationSeconds admission plugin adds to every pod (not added
to pod specs here, so that `--timing fast` can shorten them).
It never runs containers and never deletes pods for good.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.api.events import EventRecorder, EventType
from reconciler.api.server import Api
from reconciler.clock import parse_rfc3339, rfc3339
from reconciler.cluster.node_failure import KubeletState, kubelet_state, last_heartbeat, pods_on
from reconciler.cluster.nodes import is_ready
from reconciler.cluster.reconcile import DONE, KeyMapper, Result, itself
from reconciler.cluster.timing import Timing, timing_of
from reconciler.model.keys import Obj, ObjectKey

UNREACHABLE = "node.kubernetes.io/unreachable"
UNKNOWN_REASON = "NodeStatusUnknown"
UNKNOWN_MESSAGE = "Kubelet stopped posting node status."


class NodeLifecycle:
    """Watches node heartbeats; taints, marks and evicts when a node falls silent."""

    name = "node-lifecycle"

    def __init__(self, api: Api) -> None:
        self.api = api
        self._nodes = EventRecorder(api, "node-controller")
        self._evictions = EventRecorder(api, "taint-eviction-controller")

    def watches(self) -> Mapping[str, KeyMapper]:
        return {"Node": itself}

    def reconcile(self, key: ObjectKey) -> Result:
        node = self.api.find(key)
        if node is None:
            return DONE
        if kubelet_state(node) is not KubeletState.STOPPED:
            if is_ready(node) and _unreachable_taints(node):
                node["spec"]["taints"] = [
                    t for t in node["spec"]["taints"] if t.get("key") != UNREACHABLE
                ]
                if not node["spec"]["taints"]:
                    del node["spec"]["taints"]
                self.api.update(node)
            return DONE
        timing = timing_of(self.api)
        now = self.api.clock.now()
        silent_from = last_heartbeat(self.api, node) + timing.node_monitor_grace_period
        if now < silent_from:
            return Result(requeue_after=silent_from - now)
        if is_ready(node):
            node = self._mark_unknown(node)
        if not _unreachable_taints(node):
            node = self._taint(node)
        return self._evict(node, timing)

    def _mark_unknown(self, node: Obj) -> Obj:
        now = rfc3339(self.api.clock.now())
        for condition in node["status"].get("conditions") or ():
            condition.update(
                status="Unknown",
                reason=UNKNOWN_REASON,
                message=UNKNOWN_MESSAGE,
                lastTransitionTime=now,
            )
        node = self.api.update_status(node)
        name = node["metadata"]["name"]
        self._nodes.record(
            node, EventType.NORMAL, "NodeNotReady", f"Node {name} status is now: NodeNotReady"
        )
        for pod in pods_on(self.api, name):
            self._mark_pod_not_ready(pod, now)
        return node

    def _mark_pod_not_ready(self, pod: Obj, now: str) -> None:
        for condition in pod.get("status", {}).get("conditions") or ():
            if condition.get("type") == "Ready" and condition.get("status") != "False":
                condition.update(status="False", lastTransitionTime=now)
                self.api.update_status(pod)
                self._nodes.record(pod, EventType.WARNING, "NodeNotReady", "Node is not ready")
                return

    def _taint(self, node: Obj) -> Obj:
        added = rfc3339(self.api.clock.now())
        taints = node["spec"].setdefault("taints", [])
        taints.append({"key": UNREACHABLE, "effect": "NoSchedule", "timeAdded": added})
        taints.append({"key": UNREACHABLE, "effect": "NoExecute", "timeAdded": added})
        return self.api.update(node)

    def _evict(self, node: Obj, timing: Timing) -> Result:
        """Mark for deletion the pods whose toleration of the taint ran out; come back for the
        next one."""
        tainted = next(t for t in _unreachable_taints(node) if t["effect"] == "NoExecute")
        since = parse_rfc3339(tainted["timeAdded"])
        now = self.api.clock.now()
        upcoming: list[float] = []
        for pod in pods_on(self.api, node["metadata"]["name"]):
            if pod["metadata"].get("deletionTimestamp"):
                continue
            seconds = toleration_seconds(pod, timing)
            if seconds is None:
                continue
            if now < since + seconds:
                upcoming.append(since + seconds)
                continue
            key = ObjectKey.of(pod)
            self._evictions.record(
                pod,
                EventType.NORMAL,
                "TaintManagerEviction",
                f"Marking for deletion Pod {key.namespace}/{key.name}",
            )
            self.api.delete(key)
        return Result(requeue_after=min(upcoming) - now) if upcoming else DONE


def _unreachable_taints(node: Obj) -> list[dict[str, Any]]:
    taints = (node.get("spec") or {}).get("taints") or []
    return [t for t in taints if t.get("key") == UNREACHABLE]


def toleration_seconds(pod: Obj, timing: Timing) -> float | None:
    """How long `pod` stays on an unreachable node: its own toleration (None: forever), else
    the cluster's default."""
    for toleration in (pod.get("spec") or {}).get("tolerations") or ():
        key = toleration.get("key")
        exists = toleration.get("operator") == "Exists"
        if (key == UNREACHABLE or (key in (None, "") and exists)) and toleration.get("effect") in (
            None,
            "",
            "NoExecute",
        ):
            seconds = toleration.get("tolerationSeconds")
            return None if seconds is None else max(float(seconds), 0.0)
    return timing.eviction_toleration
