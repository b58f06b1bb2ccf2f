"""What the dashboard shows of a pod, a node or a deployment beyond the object itself,
computed as the CLI computes it, so that the page and `reconciler get` never disagree.

A pod's summary is kubectl's READY, STATUS and RESTARTS (model/podstatus.py) and what it asks
of its node (cluster/fit.py: cpu in millicores, memory in bytes, as the scheduler counts them);
a node's summary is kubectl's STATUS (`Ready`, `NotReady`, `,SchedulingDisabled`), its kubelet's
state (running, stopped, starting) and its allocatable cpu, memory and pod count; a
deployment's is `kubectl rollout status`' line (model/deployments.py). The dashboard's stream
sends a summary beside each such object it sends. Pure; called by web/streams.py.
"""

from __future__ import annotations

from typing import Any

from reconciler.cluster.fit import Demand, NodeFacts
from reconciler.cluster.node_failure import kubelet_state
from reconciler.model.deployments import rollout_status
from reconciler.model.keys import Obj
from reconciler.model.podstatus import summarize


def summary_of(obj: Obj, *, now: float) -> dict[str, Any] | None:
    """The summary of a pod, a node or a deployment; None for other kinds."""
    kind = obj.get("kind")
    if kind == "Pod":
        return pod_summary(obj, now=now)
    if kind == "Node":
        return node_summary(obj)
    if kind == "Deployment":
        rollout = rollout_status(obj)
        return {"rollout": rollout.message, "done": rollout.done, "failed": rollout.failed}
    return None


def pod_summary(pod: Obj, *, now: float) -> dict[str, Any]:
    """STATUS, READY and RESTARTS as `get pods` prints them, and the pod's requests."""
    summary = summarize(pod, now)
    demand = Demand.of(pod)
    return {
        "status": summary.status,
        "ready": summary.ready,
        "containers": summary.total,
        "restarts": summary.restarts,
        "cpu": demand.milli_cpu,
        "memory": demand.memory,
    }


def node_summary(node: Obj) -> dict[str, Any]:
    """STATUS as `get nodes` prints it, the kubelet's state and what the node offers."""
    facts = NodeFacts.of(node)
    ready = "Unknown"
    for condition in (node.get("status") or {}).get("conditions") or ():
        if condition.get("type") == "Ready":
            ready = "Ready" if condition.get("status") == "True" else "NotReady"
            break
    status = f"{ready},SchedulingDisabled" if facts.unschedulable else ready
    return {
        "status": status,
        "ready": ready == "Ready",
        "kubelet": kubelet_state(node).value,
        "cpu": facts.milli_cpu,
        "memory": facts.memory,
        "pods": facts.pods,
    }
