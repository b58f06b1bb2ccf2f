"""One GitOps sync pass: bring the cluster to what the folder says, and tell drift apart.

The daemon (runtime/daemon.py) calls `Syncer.sync_all` at start and on every periodic resync,
`sync_paths` for each batch of changed files, and `check_drift` after the cluster moved. Every
pass reads only what it must (the changed files; the source caches the rest), applies through
the api's declarative apply with the folder as the inventory's source id, and prunes what no
file declares any more, never everything at once (apply's refusal) and never what a broken file
declared (its objects keep their last good state until it is fixed).

Drift is a difference between the live object and the folder that the folder did not cause:
apply's dry run says `configured` while the manifest is the one last applied (the
last-applied annotation did not move), or an object this folder applied is gone. With
self-heal it is applied back at once; without, it is reported and stays OutOfSync. A manifest
that changed in the folder is always applied: that is a sync, not a heal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from reconciler.api import inventory as inventories
from reconciler.api.apply import LAST_APPLIED, Action, Manifest, Outcome, apply
from reconciler.api.prune import plan_prune, prune_objects
from reconciler.api.server import Api
from reconciler.clock import monotonic
from reconciler.errors import Expired, Refused
from reconciler.model.diff import Change
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.selectors import EVERYTHING
from reconciler.runtime.desired import DesiredState, FileLoad, Update, key_of, source_file
from reconciler.runtime.folder import ManifestFolder
from reconciler.store.base import EventType

LOOK_SPAN = 500
"""How many revisions of the store's history one drift look reads at most. After a big sync
(15,000 pods converging write 165,000 changes, 20,000 of them to managed objects) reading them
all in one look took most of a second, and the file edits made meanwhile waited behind it; in
steps, the daemon serves an edit between two of them (`behind` asks it not to wait meanwhile)."""


class Trigger(StrEnum):
    """Why a sync ran."""

    INITIAL = "initial"
    CHANGE = "change"
    RESYNC = "resync"
    DRIFT = "drift"


@dataclass(frozen=True)
class Drift:
    """A managed object that differs from the folder without the folder having changed."""

    key: ObjectKey
    changes: tuple[Change, ...] = ()
    missing: bool = False
    healed: bool = False


@dataclass
class SyncReport:
    """What one pass found and did."""

    trigger: Trigger
    files: list[str] = field(default_factory=list)
    """The files that changed (relative to the folder)."""
    outcomes: list[Outcome] = field(default_factory=list)
    drift: list[Drift] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)
    """Files whose errors cleared in this pass."""
    duration: float = 0.0
    apply_failed: bool = False
    """Some object could not be applied (then nothing is pruned in this pass)."""

    def count(self, action: Action) -> int:
        return sum(1 for o in self.outcomes if o.action is action)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed_cluster(self) -> bool:
        return any(o.action is not Action.UNCHANGED for o in self.outcomes)


@dataclass
class _Plan:
    apply: list[Manifest] = field(default_factory=list)
    drift: list[Drift] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Syncer:
    """Keeps one cluster converged to one folder; holds the folder's desired state."""

    def __init__(
        self, api: Api, folder: ManifestFolder, *, source_id: str, prune: bool, self_heal: bool
    ) -> None:
        self.api = api
        self.folder = folder
        self.source_id = source_id
        self.prune = prune
        self.self_heal = self_heal
        self.desired = DesiredState()
        self.out_of_sync: dict[ObjectKey, Drift] = {}
        """Drift found and not healed (self-heal off), until the object matches again."""
        self._seen = api.store.revision()
        self.behind = False
        """The last drift look stopped short of the store's revision: more history waits."""
        self._shapes: dict[ObjectKey, str] = {}
        """Per managed object, what of it a sync compares (not its status) as last seen."""

    # -- passes --------------------------------------------------------------------------------

    def sync_all(self, trigger: Trigger) -> SyncReport:
        """Read the whole folder and converge it. At start every object is compared with the
        cluster; a periodic resync (or a folder that came back) only catches up on files whose
        content changed without an event, since drift arrives through the store's watch."""
        started = monotonic()
        loads = self.folder.load_all()
        before = self._locations(self.desired.files)
        update = self.desired.replace(loads)
        modified, moved = self._compare(before, update)
        report = SyncReport(trigger)
        if trigger is Trigger.INITIAL:
            modified = set()  # compare every object with the cluster: it may have drifted
        else:
            update.apply = [m for m in update.apply if key_of(m) in modified | moved]
            edited = {Path(m.path) for m in update.apply if m.path and key_of(m) in modified}
            gone = {path for path, _ in before.values()} - set(loads)
            report.files = self._names(edited | gone)
        owned = inventories.load(self.api.store, self.source_id)
        self._converge(
            update, report, modified=modified, prune_candidates=set(owned.objects), owned=owned
        )
        report.errors[:0] = self.desired.errors()
        report.duration = monotonic() - started
        return report

    def sync_paths(self, paths: Iterable[Path]) -> SyncReport | None:
        """Converge what a batch of changed paths touched; None when none is a manifest. A
        changed ignore file means any file may have come in or gone out: the folder is read
        again as a whole."""
        started = monotonic()
        paths = list(paths)
        if any(self.folder.is_ignore_file(path) for path in paths):
            report = self.sync_all(Trigger.CHANGE)
            report.files = sorted(
                {*report.files, *self._names(filter(self.folder.is_ignore_file, paths))}
            )
            return report
        targets = self._expand(paths)
        if not targets:
            return None
        loads: dict[Path, FileLoad | None] = {
            path: self.folder.load(path) if self.folder.is_manifest_file(path) else None
            for path in targets
        }
        before = self._locations(path for path in targets if path in self.desired.files)
        update = self.desired.update(loads)
        modified, _ = self._compare(before, update)
        report = SyncReport(Trigger.CHANGE, files=self._names(targets))
        self._converge(update, report, modified=modified, prune_candidates=update.dropped)
        report.errors[:0] = update.errors
        report.duration = monotonic() - started
        return report

    def check_drift(self) -> SyncReport | None:
        """Look at the managed objects others changed since the last look; None when none."""
        started = monotonic()
        touched = self._touched()
        if not touched:
            return None
        report = SyncReport(Trigger.DRIFT)
        plan = self._plan(self.desired.manifests_for(touched))
        report.errors.extend(plan.errors)
        for key in touched - {d.key for d in plan.drift}:
            self.out_of_sync.pop(key, None)
        report.drift = self._handle_drift(plan.drift, report)
        report.duration = monotonic() - started
        return report if report.drift or report.errors or report.outcomes else None

    # -- steps ---------------------------------------------------------------------------------

    def _converge(
        self,
        update: Update,
        report: SyncReport,
        *,
        modified: set[ObjectKey],
        prune_candidates: set[ObjectKey],
        owned: inventories.Inventory | None = None,
    ) -> None:
        """Apply, heal and prune what an update calls for; `owned` is the whole inventory when
        the caller read it already (else only the entries of `prune_candidates` are read)."""
        report.fixed = [self.folder.relative(p) for p in update.fixed]
        # A manifest the folder changed is applied as it is; the others are compared first
        # (they may have drifted, or only moved to another file).
        changed = [m for m in update.apply if key_of(m) in modified]
        plan = self._plan([m for m in update.apply if key_of(m) not in modified])
        report.errors.extend(plan.errors)
        if changed or plan.apply:
            self._apply(changed + plan.apply, report)
        for drift in plan.drift:
            self.out_of_sync.pop(drift.key, None)
        report.drift = self._handle_drift(plan.drift, report)
        declared = {k for k in (key_of(m) for m in update.apply) if k is not None}
        for key in declared - {d.key for d in plan.drift}:
            self.out_of_sync.pop(key, None)
        if self.prune and prune_candidates and not (plan.errors or report.apply_failed):
            self._prune(prune_candidates, report, owned)
        for key in prune_candidates:
            if key not in self.desired.owner:
                self.out_of_sync.pop(key, None)

    def _plan(self, manifests: Sequence[Manifest]) -> _Plan:
        """Split manifests the folder did not change into what still needs applying (new to
        the cluster, or only moved to another file) and what drifted, by a dry run."""
        plan = _Plan()
        if not manifests:
            return plan
        dry = apply(self.api, manifests, source_id=self.source_id, dry_run=True, validated=True)
        plan.errors.extend(f.message for f in dry.failures)
        for outcome in dry.outcomes:
            manifest = outcome.manifest
            if manifest is None:
                continue
            if outcome.action is Action.CREATED:
                if outcome.key in self.out_of_sync or self._uid_of(outcome.key):
                    plan.drift.append(Drift(outcome.key, missing=True))
                else:
                    plan.apply.append(manifest)
            elif outcome.action is Action.CONFIGURED:
                if _last_applied(outcome.before) == _last_applied(outcome.after):
                    plan.drift.append(Drift(outcome.key, outcome.changes))
                else:
                    plan.apply.append(manifest)
            elif outcome.after != outcome.before:  # only the bookkeeping (a file renamed)
                plan.apply.append(manifest)
        return plan

    def _handle_drift(self, drifts: list[Drift], report: SyncReport) -> list[Drift]:
        if not drifts:
            return []
        if not self.self_heal:
            for drift in drifts:
                self.out_of_sync[drift.key] = drift
            return drifts
        manifests = self.desired.manifests_for(d.key for d in drifts)
        failed = self._apply(manifests, report)
        return [Drift(d.key, d.changes, d.missing, healed=d.key not in failed) for d in drifts]

    def _apply(self, manifests: list[Manifest], report: SyncReport) -> set[ObjectKey]:
        """Apply for real; returns the keys that failed."""
        result = apply(self.api, manifests, source_id=self.source_id, validated=True)
        for outcome in result.outcomes:
            if outcome.after is not None:
                self._shapes[outcome.key] = _shape(outcome.after)
        report.outcomes.extend(result.outcomes)
        report.errors.extend(f.message for f in result.failures)
        report.apply_failed = bool(result.failures) or report.apply_failed
        return {f.key for f in result.failures if f.key is not None}

    def _prune(
        self, candidates: set[ObjectKey], report: SyncReport, owned: inventories.Inventory | None
    ) -> None:
        """Delete what this folder applied and no file declares any more; never what a broken
        file declared, never everything the folder owns (unless it is all in broken files)."""
        declared = self.desired.owner.keys()
        uid_of = owned.objects.get if owned is not None else self._uid_of
        if any(uid_of(key) for key in declared):
            # Something the folder owned is still declared, so this is not the folder looking
            # empty: look only at what this pass dropped (the cost of an edit stays small).
            uids = {key: uid_of(key) for key in candidates}
            subset = {key: uid for key, uid in uids.items() if uid}
            scope, force = inventories.Inventory(self.source_id, subset), True
        else:
            whole = owned if owned is not None else inventories.load(self.api.store, self.source_id)
            scope, force = whole, False
        refusal: Refused | None = None
        try:
            plan = plan_prune(self.api, scope, declared, selector=EVERYTHING, force=force)
        except Refused as refused:
            plan = plan_prune(self.api, scope, declared, selector=EVERYTHING, force=True)
            refusal = refused
        broken = {str(path) for path in self.desired.broken()}
        doomed = [obj for obj in plan.doomed if source_file(obj) not in broken]
        if refusal is not None and doomed:
            # apply's advice names its own flag; the daemon has none, on purpose.
            reason = str(refusal).partition("; if that is what you want")[0]
            report.errors.append(
                f"error: {reason}; nothing was pruned (delete the objects yourself if the "
                "folder is meant to be empty)"
            )
            return
        pruned = prune_objects(self.api, doomed)
        forgotten = [ObjectKey.of(obj) for obj in pruned] + plan.stale
        if forgotten:
            inventories.record(self.api.store, self.source_id, applied={}, removed=forgotten)
        report.outcomes.extend(Outcome(ObjectKey.of(o), Action.PRUNED, before=o) for o in pruned)

    # -- helpers -------------------------------------------------------------------------------

    def _uid_of(self, key: ObjectKey) -> str | None:
        """The uid this folder applied the object with; None when its inventory does not hold
        it (never applied, or pruned since)."""
        return inventories.uid_of(self.api.store, self.source_id, key)

    def _locations(self, files: Iterable[Path]) -> dict[ObjectKey, tuple[Path, Manifest]]:
        """Where each object of some files is declared now, and how."""
        found = {}
        for path in files:
            for manifest in self.desired.files[path].manifests:
                key = key_of(manifest)
                if key is not None:
                    found[key] = (path, manifest)
        return found

    @staticmethod
    def _compare(
        before: dict[ObjectKey, tuple[Path, Manifest]], update: Update
    ) -> tuple[set[ObjectKey], set[ObjectKey]]:
        """The objects an update declares differently (modified) and those declared the same
        way in another place (moved: another file or document index)."""
        modified: set[ObjectKey] = set()
        moved: set[ObjectKey] = set()
        for manifest in update.apply:
            key = key_of(manifest)
            if key is None:
                continue
            previous = before.get(key)
            if previous is None or previous[1].obj != manifest.obj:
                modified.add(key)
            elif (previous[1].path, previous[1].index) != (manifest.path, manifest.index):
                moved.add(key)
        return modified, moved

    def _names(self, paths: Iterable[Path]) -> list[str]:
        return [self.folder.relative(path) for path in sorted(paths)]

    def _expand(self, paths: Iterable[Path]) -> set[Path]:
        """The manifest files a batch touched: files named, files below folders named (on disk
        now, or known from before the folder went)."""
        targets: set[Path] = set()
        for path in paths:
            if path in self.desired.files or self.folder.is_manifest_name(path):
                targets.add(path)
                continue
            prefix = f"{path}/"
            targets.update(p for p in self.desired.files if str(p).startswith(prefix))
            targets.update(self.folder.files(under=path))
        return targets

    def _touched(self) -> set[ObjectKey]:
        """Managed objects whose spec or metadata someone changed (or that were deleted) since
        the last look, in the next LOOK_SPAN revisions at most; the cluster updating their
        status does not count."""
        store = self.api.store
        current = store.revision()
        upto = min(current, self._seen + LOOK_SPAN)
        try:
            # Only the kinds the folder declares: the pods and events a big cluster churns
            # through are not even decoded (they cost seconds per look at 15,000 pods).
            events = store.watch(self._seen, kinds=self.desired.kinds(), upto=upto)
        except Expired:
            self._seen, self.behind = store.revision(), False
            self._shapes.clear()
            return set(self.desired.owner)
        self._seen, self.behind = upto, upto < current
        if not events:
            return set()
        # Only each object's newest state counts: the plan compares that with the folder, so
        # what changed and changed back within one look is no drift (and after a big sync, the
        # status updates of thousands of objects are not each encoded to be compared).
        newest = {event.key: event for event in events if event.key in self.desired.owner}
        touched = set()
        for key, event in newest.items():
            if event.type is EventType.DELETED:
                self._shapes.pop(key, None)
                touched.add(key)
                continue
            shape = _shape(event.object)
            if self._shapes.get(key) != shape:
                self._shapes[key] = shape
                touched.add(key)
        return touched


def _shape(obj: Obj) -> str:
    """What a sync compares of an object: everything but its status and counters."""
    meta = obj.get("metadata") or {}
    compared = {
        "spec": obj.get("spec"),
        "labels": meta.get("labels"),
        "annotations": meta.get("annotations"),
        "deleting": meta.get("deletionTimestamp"),
    }
    return json.dumps(compared, sort_keys=True, separators=(",", ":"))


def _last_applied(obj: Obj | None) -> str | None:
    annotations = ((obj or {}).get("metadata") or {}).get("annotations") or {}
    value = annotations.get(LAST_APPLIED)
    return None if value is None else str(value)
