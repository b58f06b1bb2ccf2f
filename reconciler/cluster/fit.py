"""Whether a pod fits a node, and why not, in kube-scheduler's words.

The scheduler (cluster/scheduler.py) reduces each pod to a `Demand` and each node to `NodeFacts`
once, then asks `static_reasons` (the filters that do not depend on other pods: cordon, taints,
nodeSelector and required node affinity) and `resource_reasons` (what the pods already on the node
leave free). Filters run in kube-scheduler's default order (NodeUnschedulable, TaintToleration,
NodeAffinity, NodeResourcesFit) and a node fails on the first one that rejects it, so that
`fit_error` builds the same FailedScheduling message kube-scheduler v1.31 writes:

    0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient
    cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling,
    2 No preemption victims found for incoming pod.

Pure: no store, no clock.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.model.keys import Obj
from reconciler.model.quantity import milli_value, value

DEFAULT_MILLI_CPU = 100
"""kube-scheduler's stand-in cpu request for scoring a container that asks for none."""
DEFAULT_MEMORY = 200 * 1024 * 1024
"""kube-scheduler's stand-in memory request for scoring a container that asks for none."""

NOT_READY_TAINT = "node.kubernetes.io/not-ready"
UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"
UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"

UNSCHEDULABLE = "node(s) were unschedulable"
SELECTOR_MISMATCH = "node(s) didn't match Pod's node affinity/selector"
TOO_MANY_PODS = "Too many pods"
NO_NODES = "no nodes available to schedule pods"
NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_VICTIMS = "No preemption victims found for incoming pod"


@dataclass(frozen=True)
class Taint:
    key: str
    value: str
    effect: str


@dataclass(frozen=True)
class NodeFacts:
    """What the scheduler needs of a node; equal facts mean an update changed nothing for it."""

    name: str
    labels: tuple[tuple[str, str], ...]
    taints: tuple[Taint, ...]
    unschedulable: bool
    milli_cpu: int
    memory: int
    pods: int

    @classmethod
    def of(cls, node: Obj) -> NodeFacts:
        spec = node.get("spec") or {}
        status = node.get("status") or {}
        allocatable = status.get("allocatable") or status.get("capacity") or {}
        taints = [
            Taint(t.get("key", ""), t.get("value", ""), t.get("effect", ""))
            for t in spec.get("taints") or ()
        ]
        implied = _readiness_taint(node)
        if implied is not None and all(t.key != implied.key for t in taints):
            taints.append(implied)
        return cls(
            name=node["metadata"]["name"],
            labels=tuple(sorted((node["metadata"].get("labels") or {}).items())),
            taints=tuple(taints),
            unschedulable=bool(spec.get("unschedulable")),
            milli_cpu=milli_value(allocatable.get("cpu", 0)),
            memory=value(allocatable.get("memory", 0)),
            pods=value(allocatable.get("pods", 0)),
        )


def _readiness_taint(node: Obj) -> Taint | None:
    """The taint the node lifecycle controller puts on a node that is not Ready (so a
    NotReady node is refused with kube-scheduler's message even before it is tainted)."""
    for condition in (node.get("status") or {}).get("conditions") or ():
        if condition.get("type") == "Ready":
            if condition.get("status") == "True":
                return None
            if condition.get("status") == "False":
                return Taint(NOT_READY_TAINT, "", "NoSchedule")
            break
    return Taint(UNREACHABLE_TAINT, "", "NoSchedule")


@dataclass(frozen=True)
class Demand:
    """What a pod asks of a node."""

    milli_cpu: int
    memory: int
    nonzero_milli_cpu: int
    nonzero_memory: int
    node_selector: tuple[tuple[str, str], ...]
    affinity_terms: str
    """Required node affinity terms as canonical JSON ("" when none)."""
    tolerations: str
    """Tolerations as canonical JSON."""

    @classmethod
    def of(cls, pod: Obj) -> Demand:
        spec = pod.get("spec") or {}
        cpu = memory = nz_cpu = nz_memory = 0
        for container in spec.get("containers") or ():
            requests = _requests(container)
            cpu += requests.get("cpu", 0)
            memory += requests.get("memory", 0)
            nz_cpu += requests.get("cpu", DEFAULT_MILLI_CPU)
            nz_memory += requests.get("memory", DEFAULT_MEMORY)
        for container in spec.get("initContainers") or ():
            # Init containers run one at a time, before the others: the pod needs the larger.
            requests = _requests(container)
            cpu = max(cpu, requests.get("cpu", 0))
            memory = max(memory, requests.get("memory", 0))
        overhead = spec.get("overhead") or {}
        cpu += milli_value(overhead.get("cpu", 0))
        memory += value(overhead.get("memory", 0))
        required = (
            ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
                "requiredDuringSchedulingIgnoredDuringExecution"
            )
            or {}
        ).get("nodeSelectorTerms") or []
        return cls(
            milli_cpu=cpu,
            memory=memory,
            nonzero_milli_cpu=nz_cpu,
            nonzero_memory=nz_memory,
            node_selector=tuple(sorted((spec.get("nodeSelector") or {}).items())),
            affinity_terms=json.dumps(required, sort_keys=True) if required else "",
            tolerations=json.dumps(spec.get("tolerations") or [], sort_keys=True),
        )


def _requests(container: Mapping[str, Any]) -> dict[str, int]:
    """cpu (millicores) and memory (bytes) requests; a limit stands in for a missing request,
    as the API server defaults it."""
    resources = container.get("resources") or {}
    merged = {**(resources.get("limits") or {}), **(resources.get("requests") or {})}
    found: dict[str, int] = {}
    if "cpu" in merged:
        found["cpu"] = milli_value(merged["cpu"])
    if "memory" in merged:
        found["memory"] = value(merged["memory"])
    return found


def tolerates(tolerations: Sequence[Mapping[str, Any]], taint: Taint) -> bool:
    """corev1 `Toleration.ToleratesTaint`: effect empty matches every effect, key empty with
    Exists matches every key; Equal (the default) compares values."""
    for toleration in tolerations:
        effect = toleration.get("effect") or ""
        if effect and effect != taint.effect:
            continue
        key = toleration.get("key") or ""
        if key and key != taint.key:
            continue
        operator = toleration.get("operator") or "Equal"
        if operator == "Exists" or (
            operator == "Equal" and (toleration.get("value") or "") == taint.value
        ):
            return True
    return False


def _term_matches(term: Mapping[str, Any], labels: Mapping[str, str], name: str) -> bool:
    expressions = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not expressions and not fields:
        return False  # an empty term matches no node
    checks = [(e, labels.get(e["key"])) for e in expressions]
    checks += [(f, name if f["key"] == "metadata.name" else None) for f in fields]
    return all(_requirement(expr, actual) for expr, actual in checks)


def _requirement(expr: Mapping[str, Any], actual: str | None) -> bool:
    values = expr.get("values") or []
    match expr.get("operator"):
        case "In":
            return actual is not None and actual in values
        case "NotIn":
            return actual is None or actual not in values
        case "Exists":
            return actual is not None
        case "DoesNotExist":
            return actual is None
        case "Gt" | "Lt" as op:
            try:
                have, want = int(actual or ""), int(values[0])
            except (ValueError, IndexError):
                return False
            return have > want if op == "Gt" else have < want
    return False


def matches_node(demand: Demand, facts: NodeFacts) -> bool:
    """nodeSelector and required node affinity (terms ORed, expressions ANDed)."""
    labels = dict(facts.labels)
    if any(labels.get(k) != v for k, v in demand.node_selector):
        return False
    if not demand.affinity_terms:
        return True
    terms = json.loads(demand.affinity_terms)
    return any(_term_matches(term, labels, facts.name) for term in terms)


def static_reasons(demand: Demand, facts: NodeFacts) -> list[str]:
    """Why the node refuses the pod whatever else runs there (empty: it does not)."""
    tolerations = json.loads(demand.tolerations)
    if facts.unschedulable and not tolerates(
        tolerations, Taint(UNSCHEDULABLE_TAINT, "", "NoSchedule")
    ):
        return [UNSCHEDULABLE]
    for taint in facts.taints:
        if taint.effect in ("NoSchedule", "NoExecute") and not tolerates(tolerations, taint):
            return [f"node(s) had untolerated taint {{{taint.key}: {taint.value}}}"]
    if not matches_node(demand, facts):
        return [SELECTOR_MISMATCH]
    return []


@dataclass
class Usage:
    """What the pods bound to one node request, summed."""

    milli_cpu: int = 0
    memory: int = 0
    nonzero_milli_cpu: int = 0
    nonzero_memory: int = 0
    pods: int = 0

    def add(self, demand: Demand, sign: int = 1) -> None:
        self.milli_cpu += sign * demand.milli_cpu
        self.memory += sign * demand.memory
        self.nonzero_milli_cpu += sign * demand.nonzero_milli_cpu
        self.nonzero_memory += sign * demand.nonzero_memory
        self.pods += sign


def resource_reasons(demand: Demand, facts: NodeFacts, usage: Usage) -> list[str]:
    """NodeResourcesFit: pods, cpu and memory left on the node (empty: the pod fits)."""
    reasons = []
    if usage.pods + 1 > facts.pods:
        reasons.append(TOO_MANY_PODS)
    if demand.milli_cpu and usage.milli_cpu + demand.milli_cpu > facts.milli_cpu:
        reasons.append("Insufficient cpu")
    if demand.memory and usage.memory + demand.memory > facts.memory:
        reasons.append("Insufficient memory")
    return reasons


def load(demand: Demand, facts: NodeFacts, usage: Usage) -> float:
    """LeastAllocated, inverted: the share of cpu and memory requested once the pod is there
    (lower is better), counting stand-in requests for pods that set none."""
    cpu = (usage.nonzero_milli_cpu + demand.nonzero_milli_cpu) / max(facts.milli_cpu, 1)
    memory = (usage.nonzero_memory + demand.nonzero_memory) / max(facts.memory, 1)
    return (cpu + memory) / 2


def fit_error(node_reasons: Sequence[Sequence[str]]) -> str:
    """kube-scheduler's FitError text for one failed attempt, from each node's reasons.

    The counts are formatted `"<n> <reason>"` and sorted as strings, as Go's sort.Strings
    orders them; nodes refused for resources only could be freed by preemption, which finds no
    victims among pods of equal priority, the others make preemption "not helpful".
    """
    if not node_reasons:
        return NO_NODES
    total = len(node_reasons)
    histogram: Counter[str] = Counter(r for reasons in node_reasons for r in reasons)
    preemption: Counter[str] = Counter(
        NO_VICTIMS if _resources_only(reasons) else NOT_HELPFUL for reasons in node_reasons
    )
    filters = ", ".join(sorted(f"{n} {reason}" for reason, n in histogram.items()))
    after = ", ".join(sorted(f"{n} {reason}" for reason, n in preemption.items()))
    return (
        f"0/{total} nodes are available: {filters}. "
        f"preemption: 0/{total} nodes are available: {after}."
    )


def _resources_only(reasons: Sequence[str]) -> bool:
    return all(r == TOO_MANY_PODS or r.startswith("Insufficient ") for r in reasons)
