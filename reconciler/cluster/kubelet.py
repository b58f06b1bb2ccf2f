"""The kubelets: one per node in effect, one controller in form, keyed by pod.

For a pod bound to a node whose kubelet runs, `reconcile` sets up the pod's sandbox (an IP from
the node's pod CIDR, startTime), moves its containers through their life (cluster/lifecycle.py:
pull, create, start, probes, exit, restart with back-off), and reports the pod's status
(cluster/pod_status.py). A pod marked for deletion has its containers stopped (Killing) and is
then removed for good (`api.delete(key, grace_period=0)`), its IP and logs released.
For a Node key it posts the node's own status when its kubelet comes back (Ready, Starting and
NodeReady events); heartbeats are lazy (see cluster/node_failure.py).

One controller keyed by pod, rather than one per node, because nodes come and go while the
controllers of an open cluster are fixed; events still name the node (`source.host`).
It never schedules, never evicts and never creates pods.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from reconciler.api.events import EventRecorder, EventType
from reconciler.api.informer import Changes, Informer
from reconciler.api.server import Api
from reconciler.clock import parse_rfc3339, rfc3339
from reconciler.cluster import containers, logs
from reconciler.cluster.containers import ContainerState, PodRuntime, Step
from reconciler.cluster.ipam import allocate_pod_ip, release_pod_ip
from reconciler.cluster.lifecycle import PodContext, advance, next_due, stop
from reconciler.cluster.node_failure import KUBELET_ANNOTATION, KubeletState, kubelet_state, pods_on
from reconciler.cluster.nodes import CONDITIONS, is_ready
from reconciler.cluster.pod_status import pod_status
from reconciler.cluster.reconcile import DONE, KeyMapper, Result
from reconciler.cluster.timing import timing_of
from reconciler.model.conditions import condition_of
from reconciler.model.keys import Obj, ObjectKey
from reconciler.store.base import EventType as ChangeType

NODES = ("Node",)
FOLLOWED = ("Node", "Pod")


def host_ip(node: Obj) -> str:
    """The node's InternalIP."""
    for address in node.get("status", {}).get("addresses") or ():
        if address.get("type") == "InternalIP":
            return str(address["address"])
    return ""


class Kubelet:
    """Runs the pods bound to every node whose kubelet is up."""

    name = "kubelet"

    def __init__(self, api: Api) -> None:
        self.api = api
        self._nodes = Informer(api.store, NODES)
        """Nodes as last written: a pod's sync reads its node without decoding it again."""
        self._posted: dict[ObjectKey, str] = {}
        """Pod → resourceVersion of the status this kubelet last wrote, until its change comes
        back through the watch (see `_bound_pod`)."""
        self._handed: dict[ObjectKey, Obj] = {}
        """Bound pods as the change that queued their sync left them (shared with the other
        caches: copied before any change), taken by that sync instead of reading and decoding
        the pod again. Complete up to `_handed_upto`: after a gap all are dropped."""
        self._handed_upto: int | None = None
        self._recorders: dict[str, EventRecorder] = {}
        """Node → its kubelet's recorder, whose memory (api/correlator.py) spans the node's pods."""

    def watches(self) -> Mapping[str, KeyMapper]:
        return {"Pod": self._bound_pod, "Node": self._node_and_its_pods}

    def follows(self) -> Collection[str]:
        return FOLLOWED

    def observe(self, changes: Changes) -> None:
        self._nodes.observe(changes)
        seen = self._handed_upto
        if seen is None or not changes.follows(seen, ("Pod",)):
            self._handed.clear()  # some change may be missing: none can be trusted
            seen = changes.after
        for event in changes.events:
            if event.key.kind != "Pod" or event.revision <= seen:
                continue
            pod = event.object
            own = self._posted.get(event.key) == pod["metadata"].get("resourceVersion")
            if (
                event.type is ChangeType.DELETED
                or own
                or not (pod.get("spec") or {}).get("nodeName")
            ):
                self._handed.pop(event.key, None)  # no sync follows: read afresh if one comes
            else:
                self._handed[event.key] = pod
        self._handed_upto = max(seen, changes.upto)

    def _bound_pod(self, pod: Obj) -> Iterable[ObjectKey]:
        """A pod bound to a node; but not the change this kubelet's own status write made,
        which it already converged from (the predicate controller-runtime users write to skip
        their own status updates): a sync per pod start instead of two."""
        if not (pod.get("spec") or {}).get("nodeName"):
            return
        key = ObjectKey.of(pod)
        if self._posted.pop(key, None) != pod["metadata"].get("resourceVersion"):
            yield key

    def _node_and_its_pods(self, node: Obj) -> Iterable[ObjectKey]:
        """A node; and, when its kubelet is coming back, every pod on it (they waited)."""
        yield ObjectKey.of(node)
        if kubelet_state(node) is KubeletState.STARTING:
            yield from (ObjectKey.of(p) for p in pods_on(self.api, node["metadata"]["name"]))

    def _recorder(self, node_name: str) -> EventRecorder:
        recorder = self._recorders.get(node_name)
        if recorder is None:
            recorder = self._recorders[node_name] = EventRecorder(
                self.api, "kubelet", host=node_name
            )
        return recorder

    def reconcile(self, key: ObjectKey) -> Result:
        if key.kind == "Node":
            return self._sync_node(key)
        return self._sync_pod(key)

    # -- nodes ---------------------------------------------------------------------------------

    def _sync_node(self, key: ObjectKey) -> Result:
        """A kubelet coming back posts a healthy status and says so."""
        api = self.api
        node = api.find(key)
        if node is None:
            return DONE
        state = kubelet_state(node)
        if state is KubeletState.STOPPED or (state is KubeletState.RUNNING and is_ready(node)):
            return DONE
        was_ready = is_ready(node)
        now = rfc3339(api.clock.now())
        conditions = []
        for kind, status, reason, message in CONDITIONS:
            old = condition_of(node, kind) or {}
            since = old.get("lastTransitionTime") if old.get("status") == status else None
            conditions.append(
                {
                    "type": kind,
                    "status": status,
                    "lastHeartbeatTime": now,
                    "lastTransitionTime": since or now,
                    "reason": reason,
                    "message": message,
                }
            )
        node["status"]["conditions"] = conditions
        node = api.update_status(node)
        recorder = self._recorder(key.name)
        if state is KubeletState.STARTING:
            recorder.record(node, EventType.NORMAL, "Starting", "Starting kubelet.")
            node["metadata"]["annotations"].pop(KUBELET_ANNOTATION, None)
            node = api.patch_metadata(node)
        if not was_ready:
            message = f"Node {key.name} status is now: NodeReady"
            recorder.record(node, EventType.NORMAL, "NodeReady", message)
        return DONE

    # -- pods ----------------------------------------------------------------------------------

    def _sync_pod(self, key: ObjectKey) -> Result:
        api = self.api
        handed = self._handed.pop(key, None)
        pod = api.find(key) if handed is None else {**handed}
        record = containers.load(api.store, key)
        if record is not None and (pod is None or record.uid != pod["metadata"].get("uid")):
            self._tear_down(key, record)
            record = None
        if pod is None:
            logs.forget(api, key)
            return DONE
        node_name = pod["spec"].get("nodeName")
        self._nodes.sync()
        node = self._nodes.get(ObjectKey("Node", "", node_name)) if node_name else None
        if node is None or kubelet_state(node) is KubeletState.STOPPED:
            return DONE
        deletion = pod["metadata"].get("deletionTimestamp")
        if record is None:
            if deletion:  # never started here: nothing to stop
                api.delete(key, grace_period=0)
                return DONE
            if pod.get("status", {}).get("phase") in ("Succeeded", "Failed"):
                return DONE
            ip = allocate_pod_ip(api, node, str(key))
            record = PodRuntime(pod["metadata"]["uid"], node_name, ip, api.clock.now())
        ctx = PodContext(
            api=api,
            pod=pod,
            node=node,
            timing=timing_of(api),
            recorder=self._recorder(node_name),
            pod_ip=record.ip,
        )
        self._run_containers(ctx, record, deadline=parse_rfc3339(deletion) if deletion else None)
        if deletion and not any(s.running for s in record.containers.values()):
            self._tear_down(key, record)
            logs.forget(api, key)
            api.delete(key, grace_period=0)
            return DONE
        status = pod_status(pod, record, host_ip=host_ip(ctx.node), now=api.clock.now())
        if status != pod.get("status"):
            pod["status"] = status
            posted = api.update_status(pod)
            self._posted[key] = posted["metadata"]["resourceVersion"]
        containers.save(api.store, key, record)
        dues = [d for d in (next_due(s) for s in record.containers.values()) if d is not None]
        return Result(requeue_after=min(dues) - api.clock.now()) if dues else DONE

    @staticmethod
    def _run_containers(ctx: PodContext, record: PodRuntime, *, deadline: float | None) -> None:
        """Advance each container; a container is first started only once the ones before it
        have started (the kubelet starts them in order, each pull blocking the next)."""
        specs: list[dict[str, Any]] = ctx.pod["spec"].get("containers") or []
        for spec in specs:
            record.containers.setdefault(spec["name"], ContainerState())
        for spec in specs:
            state = record.containers[spec["name"]]
            if deadline is not None:
                stop(ctx, spec, state, deadline=deadline)
            elif state.step is Step.WAITING and state.due is None:
                state.due = ctx.now
            advance(ctx, spec, state)
            never_ran = state.started_at is None and not state.restarts
            if deadline is None and never_ran:
                break

    def _tear_down(self, key: ObjectKey, record: PodRuntime) -> None:
        """The pod's sandbox is gone: its address goes back to the node's range, and the
        node's recorder forgets it (no event about it follows, and the kubelets of a big
        cluster all live in this process)."""
        if record.ip:
            release_pod_ip(self.api, record.node, record.ip)
        containers.drop(self.api.store, key)
        self._recorder(record.node).forget(record.uid)
