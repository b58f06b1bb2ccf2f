"""`kubectl describe` for ReplicationControllers, ReplicaSets and Deployments.

Ports describeReplicationController, describeReplicaSet and describeDeployment: the selector,
replicas (current / desired), the `Pods Status:` tally of the pods the controller owns, the pod
template, conditions and events. Pure text from the object, its pods, its replica sets (for a
deployment), its events and "now".
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.cli.printers.columns import format_label_selector, format_labels
from reconciler.cli.printers.describe.pods import controlled_by, pod_template
from reconciler.cli.printers.describe.writer import (
    PrefixWriter,
    annotations_multiline,
    events_table,
    labels_multiline,
    rfc1123z,
)
from reconciler.model.keys import Obj


def pods_status(owner: Obj, pods: Sequence[Obj]) -> str:
    """`3 Running / 0 Waiting / 0 Succeeded / 0 Failed`, counting only pods `owner` controls."""
    uid = (owner.get("metadata") or {}).get("uid")
    tally = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for pod in pods:
        refs = (pod.get("metadata") or {}).get("ownerReferences") or ()
        if not any(ref.get("controller") and ref.get("uid") == uid for ref in refs):
            continue
        phase = (pod.get("status") or {}).get("phase", "")
        if phase in tally:
            tally[phase] += 1
    return (
        f"{tally['Running']} Running / {tally['Pending']} Waiting / "
        f"{tally['Succeeded']} Succeeded / {tally['Failed']} Failed"
    )


def _conditions(w: PrefixWriter, obj: Obj) -> None:
    conditions = (obj.get("status") or {}).get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n")
        w.write(1, "----\t------\t------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')}\t{c.get('reason', '')}\n")


def describe_replication(
    obj: Obj, pods: Sequence[Obj], *, events: Sequence[Obj], now: float
) -> str:
    """A ReplicationController or a ReplicaSet (the RS adds `Controlled By:`)."""
    meta, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    is_rc = obj.get("kind") == "ReplicationController"
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    selector = (
        format_labels(spec.get("selector"))
        if is_rc
        else format_label_selector(spec.get("selector")) or "<none>"
    )
    w.write(0, f"Selector:\t{selector}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    if not is_rc and controlled_by(obj):
        w.write(0, f"Controlled By:\t{controlled_by(obj)}\n")
    w.write(
        0, f"Replicas:\t{status.get('replicas', 0)} current / {spec.get('replicas', 1)} desired\n"
    )
    w.write(0, f"Pods Status:\t{pods_status(obj, pods)}\n")
    pod_template(w, spec.get("template"))
    _conditions(w, obj)
    events_table(w, events, now=now)
    return w.text()


def _replica_sets_text(replica_sets: Sequence[Obj]) -> str:
    texts = [
        f"{rs['metadata']['name']} ({(rs.get('status') or {}).get('replicas', 0)}/"
        f"{(rs.get('spec') or {}).get('replicas', 1)} replicas created)"
        for rs in replica_sets
    ]
    return ", ".join(texts) or "<none>"


def describe_deployment(
    obj: Obj,
    *,
    old_replica_sets: Sequence[Obj],
    new_replica_sets: Sequence[Obj],
    events: Sequence[Obj],
    now: float,
) -> str:
    """describeDeployment: counts, strategy, pod template, conditions, the old ReplicaSets and
    the new one (`<none>` when there are none), events."""
    meta, spec, status = obj.get("metadata") or {}, obj.get("spec") or {}, obj.get("status") or {}
    strategy = spec.get("strategy") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    w.write(
        0,
        f"Replicas:\t{spec.get('replicas', 1)} desired | {status.get('updatedReplicas', 0)} "
        f"updated | {status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} "
        f"available | {status.get('unavailableReplicas', 0)} unavailable\n",
    )
    w.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        w.write(
            0,
            f"RollingUpdateStrategy:\t{rolling.get('maxUnavailable', '')} max unavailable, "
            f"{rolling.get('maxSurge', '')} max surge\n",
        )
    pod_template(w, spec.get("template"))
    _conditions(w, obj)
    w.write(0, f"OldReplicaSets:\t{_replica_sets_text(old_replica_sets)}\n")
    w.write(0, f"NewReplicaSet:\t{_replica_sets_text(new_replica_sets)}\n")
    events_table(w, events, now=now)
    return w.text()
