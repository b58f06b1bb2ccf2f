"""What the api server does to pods alone: binding, graceful deletion marks, initial status.

Pure functions over pod objects, called by `Api` (api/server.py) only: they decide and shape, the
`Api` reads and writes the store. Nothing here touches the store or the clock.
"""

from __future__ import annotations

from reconciler.clock import rfc3339
from reconciler.errors import Conflict
from reconciler.model.keys import Obj


def binding_refusal(pod: Obj, *, uid: str | None) -> Conflict | None:
    """Why the pods/binding subresource refuses to bind `pod`, in the API server's words: it is
    another pod of the same name than `uid` says, being deleted, or bound already."""
    meta, spec = pod["metadata"], pod.get("spec") or {}
    name = meta.get("name", "")
    if uid is not None and meta.get("uid") != uid:
        refusal = f"Precondition failed: UID in precondition: {uid}, UID in object meta: "
        refusal += str(meta.get("uid", ""))
    elif meta.get("deletionTimestamp"):
        refusal = f"pod {name} is being deleted, cannot be assigned to a host"
    elif spec.get("nodeName"):
        refusal = f'pod {name} is already assigned to node "{spec["nodeName"]}"'
    else:
        return None
    return Conflict(f'Operation cannot be fulfilled on pods/binding "{name}": {refusal}')


def bound(pod: Obj, node_name: str, *, now: float) -> Obj:
    """The pod as a binding leaves it: spec.nodeName and the PodScheduled condition (True)
    together, generation untouched (the binding bypasses the pod update strategy that bumps
    it). `pod` itself is left as it was: only the levels the binding changes are copied."""
    scheduled = {"type": "PodScheduled", "status": "True", "lastProbeTime": None}
    scheduled["lastTransitionTime"] = rfc3339(now)
    status = dict(pod.get("status") or {})
    conditions = list(status.get("conditions") or ())
    types = [condition.get("type") for condition in conditions]
    if "PodScheduled" in types:  # False while it waited: replaced where it stands
        conditions[types.index("PodScheduled")] = scheduled
    else:
        conditions.append(scheduled)
    status["conditions"] = conditions
    spec = {**(pod.get("spec") or {}), "nodeName": node_name}
    return {**pod, "spec": spec, "status": status}


def terminates_gracefully(pod: Obj, grace_period: int | None) -> bool:
    """Whether deleting the pod only marks it (Terminating) for its kubelet to finish: it is
    bound to a node, not finished, and the caller did not ask for a grace period of 0."""
    if grace_period == 0 or not (pod.get("spec") or {}).get("nodeName"):
        return False
    return pod.get("status", {}).get("phase") not in ("Succeeded", "Failed")


def mark_terminating(pod: Obj, grace_period: int | None, *, now: float) -> bool:
    """Set deletionTimestamp and deletionGracePeriodSeconds in place (the pod's own
    terminationGracePeriodSeconds unless the caller gave one); False when already marked."""
    meta = pod["metadata"]
    if meta.get("deletionTimestamp"):
        return False
    grace = grace_period
    if grace is None:
        grace = int(pod["spec"].get("terminationGracePeriodSeconds", 30))
    meta["deletionTimestamp"] = rfc3339(now + grace)
    meta["deletionGracePeriodSeconds"] = grace
    return True


def initial_status(pod: Obj) -> Obj:
    """A new pod's status: Pending, with its QoS class."""
    return {"phase": "Pending", "qosClass": qos_class(pod)}


def qos_class(pod: Obj) -> str:
    """Guaranteed when every container's requests equal its limits for cpu and memory;
    BestEffort when none sets any; Burstable otherwise."""
    containers = (pod.get("spec") or {}).get("containers") or []
    resources = [c.get("resources") or {} for c in containers]
    if not any(r.get("requests") or r.get("limits") for r in resources):
        return "BestEffort"
    for r in resources:
        limits = r.get("limits") or {}
        requests = {**limits, **(r.get("requests") or {})}
        if any(
            limits.get(name) is None or requests.get(name) != limits.get(name)
            for name in ("cpu", "memory")
        ):
            return "Burstable"
    return "Guaranteed"
