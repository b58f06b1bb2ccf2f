"""The Deployment controller: apps/v1 Deployments reconciled through ReplicaSets.

A port of pkg/controller/deployment/deployment_controller.go's syncDeployment. A reconcile claims
the ReplicaSets the deployment's selector matches (adopting orphans, releasing relabelled ones,
as ControllerRefManager does), records a paused or resumed deployment in its Progressing
condition, then does one of:
- resize, when the deployment is paused or only its replica count changed (`strategies.resize`);
- one step of its strategy, RollingUpdate or Recreate (`strategies.rolling`/`recreate`);
and writes status. Each step's writes (a ReplicaSet scaled, its pods created by the ReplicaSet
controller, their readiness reported) bring the deployment back, so a rollout proceeds at the
pace of its pods. A rollout that shows no progress asks to be looked at again when its progress
deadline passes (`Result.requeue_after`).

Watches Deployments, ReplicaSets (their controlling Deployment, or for an orphan every
Deployment whose selector matches it) and pods being deleted (a Recreate waits for them).
Writes ReplicaSets, the Deployment's status and revision annotation, and events as the
`deployment-controller`; never pods (the ReplicaSet controller makes those).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping

from reconciler.api.events import EventRecorder, EventType
from reconciler.api.metadata import controller_of, owner_reference
from reconciler.api.server import Api
from reconciler.cluster.controllers.deployment_status import (
    Reason,
    condition,
    has_progress_deadline,
    set_condition,
)
from reconciler.cluster.controllers.deployment_sync import DeploymentSync
from reconciler.cluster.controllers.strategies import is_scaling_event, recreate, resize, rolling
from reconciler.cluster.reconcile import DONE, KeyMapper, Result, itself
from reconciler.errors import Conflict, NotFound
from reconciler.model.conditions import status_condition
from reconciler.model.keys import Obj, ObjectKey, labels_of
from reconciler.model.selectors import Selector, of_workload

COMPONENT = "deployment-controller"


class DeploymentController:
    """The control loop of Deployments."""

    name = "deployment"

    def __init__(self, api: Api) -> None:
        self._api = api
        self._events = EventRecorder(api, COMPONENT)
        self._selectors: dict[str, Selector] = {}
        """Deployment uid → selector, as last reconciled; spots relabelled ReplicaSets."""
        self._suspects: dict[ObjectKey, set[ObjectKey]] = {}
        """Deployment → owned ReplicaSets whose labels may have stopped matching (to release)."""

    def watches(self) -> Mapping[str, KeyMapper]:
        return {
            "Deployment": itself,
            "ReplicaSet": self._owners_of_replica_set,
            "Pod": self._owner_of_leaving_pod,
        }

    def _owners_of_replica_set(self, rs: Obj) -> Iterable[ObjectKey]:
        namespace = rs["metadata"].get("namespace", "")
        ref = controller_of(rs)
        if ref is not None:
            if ref.get("kind") != "Deployment":
                return
            owner = ObjectKey("Deployment", namespace, ref["name"])
            selector = self._selectors.get(ref.get("uid", ""))
            if selector is None or not selector.matches(labels_of(rs)):
                self._suspects.setdefault(owner, set()).add(ObjectKey.of(rs))
            yield owner
            return
        if rs["metadata"].get("deletionTimestamp"):
            return
        for deployment in self._api.list("Deployment", namespace):
            selector = of_workload(deployment)
            if not selector.empty and selector.matches(labels_of(rs)):
                yield ObjectKey.of(deployment)

    def _owner_of_leaving_pod(self, pod: Obj) -> Iterable[ObjectKey]:
        """A terminating pod's deployment (through its ReplicaSet): a Recreate rollout waits
        for the old pods to be gone, which changes no ReplicaSet."""
        if not pod["metadata"].get("deletionTimestamp"):
            return
        ref = controller_of(pod)
        if ref is None or ref.get("kind") != "ReplicaSet":
            return
        namespace = pod["metadata"].get("namespace", "")
        rs = self._api.find(ObjectKey("ReplicaSet", namespace, ref["name"]))
        owner = None if rs is None else controller_of(rs)
        if owner is not None and owner.get("kind") == "Deployment":
            yield ObjectKey("Deployment", namespace, owner["name"])

    def reconcile(self, key: ObjectKey) -> Result:
        suspects = self._suspects.pop(key, set())
        deployment = self._api.find(key)
        if deployment is None:
            return DONE
        selector = of_workload(deployment)
        self._selectors[deployment["metadata"]["uid"]] = selector
        if selector.empty:  # validation refuses it; never select every pod of the namespace
            self._refuse_everything(deployment)
            return DONE
        replica_sets = self._claim(deployment, selector, suspects)
        sync = DeploymentSync(self._api, self._events, deployment, replica_sets)
        _record_pause(sync)
        spec = deployment.get("spec") or {}
        if spec.get("paused") or is_scaling_event(sync):
            resize(sync)
        elif (spec.get("strategy") or {}).get("type") == "Recreate":
            pods = self._api.list("Pod", key.namespace, selector)
            recreate(sync, pods)
        else:
            rolling(sync)
        return Result(requeue_after=sync.requeue_after)

    def _refuse_everything(self, deployment: Obj) -> None:
        self._events.record(
            deployment,
            EventType.WARNING,
            "SelectingAll",
            "This deployment is selecting all pods. A non-empty selector is required.",
        )
        generation = deployment["metadata"].get("generation")
        status = deployment.get("status") or {}
        if generation and status.get("observedGeneration") != generation:
            self._api.update_status(
                {**deployment, "status": {**status, "observedGeneration": generation}}
            )

    # -- claiming ReplicaSets ------------------------------------------------------------------

    def _claim(self, deployment: Obj, selector: Selector, suspects: set[ObjectKey]) -> list[Obj]:
        """ClaimReplicaSets: the deployment's ReplicaSets after adopting matching orphans and
        releasing owned ones whose labels no longer match."""
        uid = deployment["metadata"]["uid"]
        namespace = deployment["metadata"]["namespace"]
        owned: list[Obj] = []
        seen: set[ObjectKey] = set()
        for rs in self._api.list("ReplicaSet", namespace, selector):
            seen.add(ObjectKey.of(rs))
            ref = controller_of(rs)
            if ref is None and not rs["metadata"].get("deletionTimestamp"):
                adopted = copy.deepcopy(rs)
                adopted["metadata"].setdefault("ownerReferences", []).append(
                    owner_reference(deployment)
                )
                patched = self._patch(adopted)
                if patched is not None:
                    owned.append(patched)
            elif ref is not None and ref.get("uid") == uid:
                owned.append(rs)
        for rs_key in suspects - seen:
            suspect = self._api.find(rs_key)
            ref = None if suspect is None else controller_of(suspect)
            if suspect is None or ref is None or ref.get("uid") != uid:
                continue
            if not selector.matches(labels_of(suspect)):
                refs = [r for r in suspect["metadata"]["ownerReferences"] if r.get("uid") != uid]
                if refs:
                    suspect["metadata"]["ownerReferences"] = refs
                else:
                    suspect["metadata"].pop("ownerReferences")
                self._patch(suspect)
        return owned

    def _patch(self, rs: Obj) -> Obj | None:
        try:
            return self._api.patch_metadata(rs)
        except (Conflict, NotFound):
            return None  # changed meanwhile: its watch event brings it back


def _record_pause(sync: DeploymentSync) -> None:
    """checkPausedConditions: Progressing Unknown DeploymentPaused / DeploymentResumed, so a
    deployment paused longer than its deadline does not time out when resumed."""
    deployment = sync.deployment
    if not has_progress_deadline(deployment):
        return
    status = copy.deepcopy(deployment.get("status") or {})
    current = status_condition(status, "Progressing")
    if current is not None and current.get("reason") == Reason.TIMED_OUT:
        return
    paused = bool((deployment.get("spec") or {}).get("paused"))
    recorded = current is not None and current.get("reason") == Reason.PAUSED
    if paused and not recorded:
        new = condition(
            "Progressing", "Unknown", Reason.PAUSED, "Deployment is paused", now=sync.now
        )
    elif not paused and recorded:
        new = condition(
            "Progressing", "Unknown", Reason.RESUMED, "Deployment is resumed", now=sync.now
        )
    else:
        return
    set_condition(status, new)
    sync.write_status(status)
