"""One sync of one Deployment: the steps every strategy is made of.

Ports the I/O half of pkg/controller/deployment/sync.go: `new_and_old` finds the ReplicaSet of
the current template (syncing its revision, minReadySeconds and annotations) or creates it as
`<deployment>-<pod-template-hash>` (bumping status.collisionCount on a name collision); `scale`
resizes a ReplicaSet and records `ScalingReplicaSet "Scaled up replica set kubia-5d8f6c9b7 from
0 to 3"` (the wording of Kubernetes 1.31, PR #125118; 1.27-1.30 said "to 3 from 0", older ones
"to 3"); `cleanup` deletes old, empty ReplicaSets beyond revisionHistoryLimit; the two status
writers compute status and conditions (`deployment_status.py`).

Annotations follow deploymentutil: the deployment's own annotations are copied to its new
ReplicaSet except kubectl's last-applied configuration, the deployment.kubernetes.io ones and
this tool's `reconciler.dev/` bookkeeping; the ReplicaSet carries `revision` (with
`revision-history` when an old template comes back), `desired-replicas` and `max-replicas`; the
Deployment carries `revision`.

Created per reconcile by the deployment controller; writes only ReplicaSets, the Deployment's
revision annotation and status, and events. Keeps the latest version of every object it wrote,
so one sync's later steps see its earlier writes.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any

from reconciler.api.events import EventRecorder, EventType
from reconciler.api.metadata import owner_reference
from reconciler.api.server import Api
from reconciler.cluster.controllers.deployment_status import (
    Reason,
    calculate_status,
    condition,
    estimate_progress,
    has_progress_deadline,
    remove_condition,
    replica_failure,
    set_condition,
    stuck_requeue,
)
from reconciler.cluster.controllers.rollout import Direction, max_surge, new_rs_replicas
from reconciler.errors import AlreadyExists, Conflict, NotFound
from reconciler.model.conditions import status_condition
from reconciler.model.deployments import (
    DESIRED_REPLICAS,
    HASH_LABEL,
    MAX_REPLICAS,
    NOT_COPIED,
    REVISION,
    REVISION_HISTORY,
    TOOL_PREFIX,
    annotations_of,
    by_creation,
    controlled_by,
    equal_ignoring_hash,
    new_replica_set,
    pod_template_hash,
    replicas_of,
    revision_of,
    template_of,
)
from reconciler.model.keys import Obj, ObjectKey

MAX_COLLISIONS = 16
"""Hash collisions tried in one sync before giving up until the next one."""


class DeploymentSync:
    """The working state of one reconcile of one Deployment."""

    def __init__(
        self, api: Api, events: EventRecorder, deployment: Obj, replica_sets: list[Obj]
    ) -> None:
        self.api = api
        self.events = events
        self.deployment = deployment
        self._sets = {rs["metadata"]["name"]: rs for rs in replica_sets}
        self.now = api.clock.now()
        self.requeue_after: float | None = None
        """When the progress deadline must be checked again, if a rollout shows no progress."""

    @property
    def desired(self) -> int:
        return replicas_of(self.deployment)

    @property
    def replica_sets(self) -> list[Obj]:
        """The deployment's ReplicaSets as last written, oldest first."""
        return by_creation(self._sets.values())

    def split(self) -> tuple[Obj | None, list[Obj]]:
        """(the new ReplicaSet or None, the old ones oldest first), without writing."""
        sets = self.replica_sets
        new = new_replica_set(self.deployment, sets)
        olds = [rs for rs in sets if new is None or rs["metadata"]["uid"] != new["metadata"]["uid"]]
        return new, olds

    def _put(self, rs: Obj) -> Obj:
        self._sets[rs["metadata"]["name"]] = rs
        return rs

    # -- the new ReplicaSet ------------------------------------------------------------------

    def new_and_old(self, *, create: bool) -> tuple[Obj | None, list[Obj]]:
        """getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created when asked and
        missing) with its revision one above every old one's, and the old ones."""
        new, olds = self.split()
        revision = max((revision_of(rs) for rs in olds), default=0) + 1
        if new is not None:
            new = self._sync_new(new, revision)
        elif create:
            new = self._create_new(olds, revision)
        return new, olds

    def _sync_new(self, rs: Obj, revision: int) -> Obj:
        updated = copy.deepcopy(rs)
        changed = self._annotate_new(updated, revision, exists=True)
        min_ready = int((self.deployment.get("spec") or {}).get("minReadySeconds") or 0)
        if changed or int(rs["spec"].get("minReadySeconds") or 0) != min_ready:
            _set_min_ready(updated, min_ready)
            rs = self._put(self.api.update(updated))
        self._set_revision(str(revision_of(rs)))
        status = copy.deepcopy(self.deployment.get("status") or {})
        if (
            has_progress_deadline(self.deployment)
            and status_condition(status, "Progressing") is None
        ):
            message = f'Found new replica set "{rs["metadata"]["name"]}"'
            found = condition("Progressing", "True", Reason.FOUND_NEW_RS, message, now=self.now)
            set_condition(status, found)
            self.write_status(status)
        return rs

    def _create_new(self, olds: list[Obj], revision: int) -> Obj:
        template = template_of(self.deployment)
        collisions = (self.deployment.get("status") or {}).get("collisionCount")
        for _ in range(MAX_COLLISIONS):
            wanted = self._replica_set_for(template, collisions, olds, revision)
            try:
                created, existed = self.api.create(wanted), False
            except AlreadyExists:
                found = self.api.find(ObjectKey.of(wanted))
                if (
                    found is None
                    or not controlled_by(found, self.deployment)
                    or not equal_ignoring_hash(template_of(found), template)
                ):
                    collisions = (collisions or 0) + 1
                    status = copy.deepcopy(self.deployment.get("status") or {})
                    status["collisionCount"] = collisions
                    self.write_status(status)
                    continue
                created, existed = found, True
            break
        else:
            raise Conflict(f'no free replica set name for deployment "{self.deployment_name}"')
        self._put(created)
        name, replicas = created["metadata"]["name"], replicas_of(created)
        if not existed and replicas > 0:
            self.events.record(
                self.deployment,
                EventType.NORMAL,
                "ScalingReplicaSet",
                f"Scaled up replica set {name} from 0 to {replicas}",
            )
        self._set_revision(str(revision))
        if not existed and has_progress_deadline(self.deployment):
            status = copy.deepcopy(self.deployment.get("status") or {})
            message = f'Created new replica set "{name}"'
            made = condition("Progressing", "True", Reason.NEW_RS_CREATED, message, now=self.now)
            set_condition(status, made)
            self.write_status(status)
        return created

    @property
    def deployment_name(self) -> str:
        return str(self.deployment["metadata"]["name"])

    def _replica_set_for(
        self, template: Obj, collisions: int | None, olds: list[Obj], revision: int
    ) -> Obj:
        """The ReplicaSet a template is run by: the template and the selector with the
        pod-template-hash label added, sized by how far the rollout may surge."""
        spec = self.deployment["spec"]
        pod_hash = pod_template_hash(template, collisions)
        rs_template = copy.deepcopy(template)
        labels = {**((rs_template.get("metadata") or {}).get("labels") or {}), HASH_LABEL: pod_hash}
        rs_template.setdefault("metadata", {})["labels"] = labels
        selector = copy.deepcopy(spec.get("selector") or {})
        selector["matchLabels"] = {**(selector.get("matchLabels") or {}), HASH_LABEL: pod_hash}
        rs: Obj = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": f"{self.deployment_name}-{pod_hash}",
                "namespace": self.deployment["metadata"]["namespace"],
                "labels": dict(labels),
                "ownerReferences": [owner_reference(self.deployment)],
            },
            "spec": {"replicas": 0, "selector": selector, "template": rs_template},
        }
        _set_min_ready(rs, int(spec.get("minReadySeconds") or 0))
        rs["spec"]["replicas"] = new_rs_replicas(self.deployment, [*olds, rs], rs)
        self._annotate_new(rs, revision, exists=False)
        return rs

    def _annotate_new(self, rs: Obj, revision: int, *, exists: bool) -> bool:
        """SetNewReplicaSetAnnotations: copy the deployment's annotations, raise the revision
        (remembering the one it had in revision-history), size annotations on a new one."""
        annotations: dict[str, str] = rs["metadata"].setdefault("annotations", {})
        changed = False
        for key, value in annotations_of(self.deployment).items():
            if key in NOT_COPIED or key.startswith(TOOL_PREFIX) or annotations.get(key) == value:
                continue
            annotations[key] = value
            changed = True
        previous = annotations.get(REVISION)
        try:
            old = int(previous) if previous else 0
        except ValueError:
            return changed
        if old < revision:
            annotations[REVISION] = str(revision)
            changed = True
            if previous is not None:
                history = annotations.get(REVISION_HISTORY)
                annotations[REVISION_HISTORY] = f"{history},{previous}" if history else previous
        if not exists and self._size_annotations(rs):
            changed = True
        return changed

    def _size_annotations(self, rs: Obj) -> bool:
        """SetReplicasAnnotations: desired-replicas and max-replicas as of now."""
        annotations: dict[str, str] = rs["metadata"].setdefault("annotations", {})
        wanted = {
            DESIRED_REPLICAS: str(self.desired),
            MAX_REPLICAS: str(self.desired + max_surge(self.deployment)),
        }
        if all(annotations.get(key) == value for key, value in wanted.items()):
            return False
        annotations.update(wanted)
        return True

    def _set_revision(self, revision: str) -> None:
        """SetDeploymentRevision: the deployment's revision annotation follows its new set."""
        if annotations_of(self.deployment).get(REVISION) == revision:
            return
        patched = copy.deepcopy(self.deployment)
        patched["metadata"].setdefault("annotations", {})[REVISION] = revision
        self.deployment = self.api.patch_metadata(patched)

    # -- scaling and cleaning up -------------------------------------------------------------

    def scale(self, rs: Obj, size: int, direction: Direction | None = None) -> tuple[bool, Obj]:
        """Resize a ReplicaSet (and refresh its size annotations); True when its size changed.
        Without `direction` (scaleReplicaSetAndRecordEvent) nothing happens at the same size;
        with one (a proportional resize) the annotations are refreshed even then."""
        current = replicas_of(rs)
        if direction is None:
            if current == size:
                return False, rs
            direction = Direction.UP if size > current else Direction.DOWN
        updated = copy.deepcopy(rs)
        annotations_changed = self._size_annotations(updated)
        if current == size and not annotations_changed:
            return False, rs
        updated["spec"]["replicas"] = size
        stored = self._put(self.api.update(updated))
        if current == size:
            return False, stored
        self.events.record(
            self.deployment,
            EventType.NORMAL,
            "ScalingReplicaSet",
            f"Scaled {direction} replica set {rs['metadata']['name']} from {current} to {size}",
        )
        return True, stored

    def cleanup(self, olds: list[Obj]) -> None:
        """cleanupDeployment: delete the oldest revisions beyond revisionHistoryLimit, only
        those scaled to 0 with no pod left and their last change observed."""
        limit = (self.deployment.get("spec") or {}).get("revisionHistoryLimit")
        if limit is None or int(limit) == 2**31 - 1:
            return
        alive = [rs for rs in olds if not rs["metadata"].get("deletionTimestamp")]
        surplus = len(alive) - int(limit)
        if surplus <= 0:
            return
        oldest = sorted(alive, key=lambda rs: (revision_of(rs), *_age_key(rs)))
        for rs in oldest[:surplus]:
            status = rs.get("status") or {}
            observed = int(status.get("observedGeneration") or 0)
            if (
                int(status.get("replicas") or 0) != 0
                or replicas_of(rs) != 0
                or int(rs["metadata"].get("generation") or 0) > observed
            ):
                continue
            with contextlib.suppress(NotFound):  # gone already: what was wanted
                self.api.delete(ObjectKey.of(rs))
            self._sets.pop(rs["metadata"]["name"], None)

    # -- status ------------------------------------------------------------------------------

    def sync_status(self, all_sets: list[Obj | None], new: Obj | None) -> None:
        """syncDeploymentStatus: counts and availability, for a paused or resized deployment."""
        status = calculate_status(self.deployment, all_sets, new, now=self.now)
        if status != (self.deployment.get("status") or {}):
            self.write_status(status)

    def sync_rollout_status(self, all_sets: list[Obj | None], new: Obj | None) -> None:
        """syncRolloutStatus: counts, availability, progress and replica failures; when
        nothing changed, note when the progress deadline must be looked at again."""
        status = calculate_status(self.deployment, all_sets, new, now=self.now)
        estimate_progress(self.deployment, status, new, now=self.now)
        failure = replica_failure(all_sets, new)
        if failure is not None:
            set_condition(status, failure)
        else:
            remove_condition(status, "ReplicaFailure")
        if status == (self.deployment.get("status") or {}):
            self.requeue_after = stuck_requeue(self.deployment, status, now=self.now)
            return
        self.write_status(status)

    def write_status(self, status: dict[str, Any]) -> None:
        """Replace the deployment's status (compare-and-swap on what this sync last saw)."""
        self.deployment = self.api.update_status({**self.deployment, "status": status})


def _set_min_ready(rs: Obj, seconds: int) -> None:
    if seconds:
        rs["spec"]["minReadySeconds"] = seconds
    else:
        rs["spec"].pop("minReadySeconds", None)


def _age_key(rs: Obj) -> tuple[str, str]:
    return rs["metadata"].get("creationTimestamp", ""), rs["metadata"]["name"]
