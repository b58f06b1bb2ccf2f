"""`kubectl describe` for Nodes and Namespaces.

Ports describeNode (roles, taints, conditions with heartbeat times, addresses, capacity and
allocatable, system info, the non-terminated pods on the node and what they request) and
describeNamespace. Pure text from the object, the pods on the node, its events and "now".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from reconciler.cli.printers.columns import node_roles
from reconciler.cli.printers.describe.writer import (
    NONE,
    PrefixWriter,
    annotations_multiline,
    events_table,
    labels_multiline,
    rfc1123z,
)
from reconciler.model.ages import since
from reconciler.model.keys import Obj
from reconciler.model.quantity import parse_quantity

SYSTEM_INFO = (
    ("Machine ID", "machineID"),
    ("System UUID", "systemUUID"),
    ("Boot ID", "bootID"),
    ("Kernel Version", "kernelVersion"),
    ("OS Image", "osImage"),
    ("Operating System", "operatingSystem"),
    ("Architecture", "architecture"),
    ("Container Runtime Version", "containerRuntimeVersion"),
    ("Kubelet Version", "kubeletVersion"),
)


def _taints(w: PrefixWriter, taints: Sequence[Mapping[str, Any]]) -> None:
    w.write(0, "Taints:\t")
    if not taints:
        w.write(0, NONE + "\n")
        return
    ordered = sorted(taints, key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")
    for index, taint in enumerate(ordered):
        if index:
            w.write(0, "\t")
        value = f"={taint['value']}" if taint.get("value") else ""
        w.write(0, f"{taint.get('key', '')}{value}:{taint.get('effect', '')}\n")


BINARY_SUFFIXES = (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20),
                   ("Ki", 2**10))  # fmt: skip


def format_quantity(amount: Fraction, *, binary: bool) -> str:
    """resource.Quantity's canonical text for a sum: `0`, `250m`, `2`, `192Mi`, `1500M`."""
    if amount == 0:
        return "0"
    if binary:
        for suffix, size in BINARY_SUFFIXES:
            if amount % size == 0:
                return f"{amount // size}{suffix}"
        if amount.denominator == 1:
            return str(amount.numerator)
    for suffix, size in (("E", 10**18), ("P", 10**15), ("T", 10**12), ("G", 10**9),
                         ("M", 10**6), ("k", 10**3), ("", 1)):  # fmt: skip
        if amount % size == 0:
            return f"{amount // size}{suffix}"
    return f"{-(-amount * 1000 // 1)}m"


def _pod_totals(pod: Obj) -> dict[str, dict[str, Fraction]]:
    """Requests and limits of a pod: the sum over its containers, per resource."""
    totals: dict[str, dict[str, Fraction]] = {"requests": {}, "limits": {}}
    for container in (pod.get("spec") or {}).get("containers") or ():
        resources = container.get("resources") or {}
        limits = resources.get("limits") or {}
        requests = {**limits, **(resources.get("requests") or {})}
        for section, values in (("requests", requests), ("limits", limits)):
            for name, value in values.items():
                totals[section][name] = totals[section].get(name, Fraction(0)) + parse_quantity(
                    value
                )
    return totals


def _amount(name: str, amount: Fraction, allocatable: Mapping[str, Any]) -> str:
    """`250m (12%)`: the share of what the node can allocate, rounded down as kubectl does."""
    whole = parse_quantity(allocatable.get(name, "0"))
    percent = int(amount / whole * 100) if whole else 0
    return f"{format_quantity(amount, binary=name != 'cpu')} ({percent}%)"


def _node_resources(w: PrefixWriter, node: Obj, pods: Sequence[Obj], now: float) -> None:
    status = node.get("status") or {}
    allocatable = status.get("allocatable") or status.get("capacity") or {}
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    sums: dict[str, dict[str, Fraction]] = {"requests": {}, "limits": {}}
    for pod in pods:
        totals = _pod_totals(pod)
        for section in sums:
            for name, value in totals[section].items():
                sums[section][name] = sums[section].get(name, Fraction(0)) + value
        meta = pod.get("metadata") or {}
        cells = [
            _amount(resource, totals[section].get(resource, Fraction(0)), allocatable)
            for resource in ("cpu", "memory")
            for section in ("requests", "limits")
        ]
        w.write(
            1,
            f"{meta.get('namespace', '')}\t{meta.get('name', '')}\t\t{cells[0]}\t{cells[1]}"
            f"\t{cells[2]}\t{cells[3]}\t{since(meta.get('creationTimestamp'), now)}\n",
        )
    w.write(
        0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n"
    )
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    for resource in ("cpu", "memory", "ephemeral-storage"):
        requests = _amount(resource, sums["requests"].get(resource, Fraction(0)), allocatable)
        limits = _amount(resource, sums["limits"].get(resource, Fraction(0)), allocatable)
        w.write(1, f"{resource}\t{requests}\t{limits}\n")


def describe_node(node: Obj, pods: Sequence[Obj], *, events: Sequence[Obj], now: float) -> str:
    meta, spec, status = (
        node.get("metadata") or {},
        node.get("spec") or {},
        node.get("status") or {},
    )
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Roles:\t{','.join(node_roles(node)) or NONE}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
    _taints(w, spec.get("taints") or [])
    w.write(0, f"Unschedulable:\t{'true' if spec.get('unschedulable') else 'false'}\n")
    conditions = status.get("conditions") or []
    if conditions:
        w.write(
            0,
            "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n",
        )
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(
                1,
                f"{c.get('type', '')} \t{c.get('status', '')} \t"
                f"{rfc1123z(c.get('lastHeartbeatTime'))} \t{rfc1123z(c.get('lastTransitionTime'))}"
                f" \t{c.get('reason', '')} \t{c.get('message', '')}\n",
            )
    w.write(0, "Addresses:\n")
    for address in status.get("addresses") or ():
        w.write(1, f"{address.get('type', '')}:\t{address.get('address', '')}\n")
    for title, key in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        values = status.get(key) or {}
        if values:
            w.write(0, f"{title}:\n")
            for name in sorted(values):
                w.write(0, f"  {name}:\t{values[name]}\n")
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for title, key in SYSTEM_INFO:
        w.write(0, f"  {title}:\t{info.get(key, '')}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")
    _node_resources(w, node, pods, now)
    events_table(w, events, now=now)
    return w.text()


def describe_namespace(namespace: Obj) -> str:
    """kubectl prints no events for a namespace; quotas and limit ranges do not exist here."""
    meta, status = namespace.get("metadata") or {}, namespace.get("status") or {}
    w = PrefixWriter()
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))
    w.write(0, f"Status:\t{status.get('phase', '')}\n")
    w.write(0, "\nNo resource quota.\n")
    w.write(0, "\nNo LimitRange resource.\n")
    return w.text()
