"""Deployments and their ReplicaSets: the facts the controller, the rollout commands and the
printers share.

- The annotation and label keys Kubernetes uses (pkg/controller/deployment/util).
- `pod_template_hash`: the `pod-template-hash` label value and ReplicaSet name suffix, computed as
  `controller.ComputeHash` does in spirit: FNV-32a over the template (+ the collision count as 8
  little-endian bytes), the decimal sum mapped through the safe-encode alphabet. Go hashes a spew
  dump of its struct; this hashes canonical JSON, so values differ from a real cluster's but have
  the same shape (8-10 characters of `45679bcdf`) and are as stable.
- `equal_ignoring_hash`: EqualIgnoreHash with apimachinery's semantic equality (nil and empty
  maps and lists count as the same).
- `new_replica_set` / `old_replica_sets`: FindNewReplicaSet / FindOldReplicaSets.
- `rollout_status`: kubectl's DeploymentStatusViewer (the lines `rollout status` prints).

Pure functions over object dicts: no store, no clock.
"""

from __future__ import annotations

import copy
import json
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.model.conditions import condition_of
from reconciler.model.keys import Obj

HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
CHANGE_CAUSE = "kubernetes.io/change-cause"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
TOOL_PREFIX = "reconciler.dev/"
"""This tool's own bookkeeping annotations (the manifest an object came from): they describe the
Deployment, never a ReplicaSet, and survive a rollback."""

NOT_COPIED = frozenset(
    {
        LAST_APPLIED,
        REVISION,
        REVISION_HISTORY,
        DESIRED_REPLICAS,
        MAX_REPLICAS,
        "deprecated.deployment.rollback.to",
    }
)
"""annotationsToSkip: Deployment annotations never copied to its ReplicaSets, and kept on the
Deployment when `rollout undo` copies a ReplicaSet's annotations back."""

SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
"""k8s.io/apimachinery/pkg/util/rand's alphanums (no vowels, no 0/1/3)."""

_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193


def fnv32a(data: bytes, value: int = _FNV_OFFSET) -> int:
    """The 32-bit FNV-1a hash (Go's hash/fnv New32a), continuing from `value`."""
    for byte in data:
        value = ((value ^ byte) * _FNV_PRIME) & 0xFFFFFFFF
    return value


def safe_encode(text: str) -> str:
    """rand.SafeEncodeString: each character mapped onto the safe alphabet."""
    return "".join(SAFE_ALPHABET[ord(char) % len(SAFE_ALPHABET)] for char in text)


def pod_template_hash(template: Obj, collision_count: int | None = None) -> str:
    """The hash naming the ReplicaSet of `template` (`kubia-5d8f6c9b7`'s `5d8f6c9b7`)."""
    value = fnv32a(json.dumps(template, sort_keys=True, separators=(",", ":")).encode())
    if collision_count is not None:
        value = fnv32a(struct.pack("<I", collision_count & 0xFFFFFFFF) + bytes(4), value)
    return safe_encode(str(value))


def _semantic(value: Any) -> Any:
    """The value with empty maps and lists (and nulls) dropped, as Semantic.DeepEqual sees it."""
    if isinstance(value, dict):
        kept = {k: _semantic(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [_semantic(v) for v in value]
    return value


def without_hash(template: Obj | None) -> Obj:
    """A copy of a pod template without the pod-template-hash label."""
    copied = copy.deepcopy(template or {})
    labels = (copied.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        labels.pop(HASH_LABEL, None)
    return copied


def equal_ignoring_hash(first: Obj | None, second: Obj | None) -> bool:
    """Whether two pod templates are the same once the pod-template-hash label is ignored."""
    return bool(_semantic(without_hash(first)) == _semantic(without_hash(second)))


def template_of(obj: Obj) -> Obj:
    """A Deployment's or ReplicaSet's pod template (empty when absent)."""
    return ((obj.get("spec") or {}).get("template")) or {}


def annotations_of(obj: Obj) -> dict[str, str]:
    return (obj.get("metadata") or {}).get("annotations") or {}


def revision_of(obj: Obj) -> int:
    """deploymentutil.Revision: the revision annotation as a number, 0 when absent or unreadable."""
    try:
        return int(annotations_of(obj).get(REVISION, "0"))
    except ValueError:
        return 0


def controlled_by(obj: Obj, owner: Obj) -> bool:
    """Whether `owner` is `obj`'s controller (by uid)."""
    uid = (owner.get("metadata") or {}).get("uid")
    refs = (obj.get("metadata") or {}).get("ownerReferences") or ()
    return any(ref.get("controller") and ref.get("uid") == uid for ref in refs)


def by_creation(replica_sets: Iterable[Obj]) -> list[Obj]:
    """ReplicaSetsByCreationTimestamp: oldest first, ties by name."""
    return sorted(
        replica_sets,
        key=lambda rs: (rs["metadata"].get("creationTimestamp", ""), rs["metadata"]["name"]),
    )


def new_replica_set(deployment: Obj, replica_sets: Sequence[Obj]) -> Obj | None:
    """The ReplicaSet running the deployment's current template (the oldest, when a cluster
    upgrade left two), or None."""
    wanted = template_of(deployment)
    for rs in by_creation(replica_sets):
        if equal_ignoring_hash(template_of(rs), wanted):
            return rs
    return None


def old_replica_sets(deployment: Obj, replica_sets: Sequence[Obj]) -> list[Obj]:
    """Every other ReplicaSet of the deployment, oldest first."""
    new = new_replica_set(deployment, replica_sets)
    new_uid = None if new is None else new["metadata"].get("uid")
    return [rs for rs in by_creation(replica_sets) if rs["metadata"].get("uid") != new_uid]


def replicas_of(obj: Obj) -> int:
    """spec.replicas (1 when unset, the API default)."""
    return int((obj.get("spec") or {}).get("replicas", 1))


@dataclass(frozen=True)
class RolloutStatus:
    """One reading of a rollout, as `kubectl rollout status` words it."""

    message: str
    done: bool = False
    failed: bool = False
    """The rollout exceeded its progress deadline; `message` is the error."""


def rollout_status(deployment: Obj) -> RolloutStatus:
    """kubectl's DeploymentStatusViewer.Status (staging/src/k8s.io/kubectl/pkg/polymorphichelpers/
    rollout_status.go)."""
    name = deployment["metadata"]["name"]
    status = deployment.get("status") or {}
    generation = int(deployment["metadata"].get("generation") or 0)
    if generation > int(status.get("observedGeneration") or 0):
        return RolloutStatus("Waiting for deployment spec update to be observed...")
    condition = condition_of(deployment, "Progressing")
    if condition is not None and condition.get("reason") == "ProgressDeadlineExceeded":
        return RolloutStatus(f'deployment "{name}" exceeded its progress deadline', failed=True)
    wanted = replicas_of(deployment)
    replicas = int(status.get("replicas") or 0)
    updated = int(status.get("updatedReplicas") or 0)
    available = int(status.get("availableReplicas") or 0)
    waiting = f'Waiting for deployment "{name}" rollout to finish: '
    if updated < wanted:
        return RolloutStatus(
            f"{waiting}{updated} out of {wanted} new replicas have been updated..."
        )
    if replicas > updated:
        return RolloutStatus(
            f"{waiting}{replicas - updated} old replicas are pending termination..."
        )
    if available < updated:
        return RolloutStatus(f"{waiting}{available} of {updated} updated replicas are available...")
    return RolloutStatus(f'deployment "{name}" successfully rolled out', done=True)
