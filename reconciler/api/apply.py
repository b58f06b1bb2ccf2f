"""Declarative apply: make the cluster hold what a set of manifests says, as `kubectl apply`.

For every manifest, in dependency order (cluster-scoped kinds such as Namespaces first, then
Services, then the workloads that the services select, then bare Pods; file order within a
rank), `apply` creates the object when it is absent, stamping the last-applied annotation with
the manifest as JSON exactly as kubectl does; otherwise it three-way merges manifest,
last-applied and live object (`model/merge.py`) and updates the object when the result differs
(`configured`). A change to apply's own bookkeeping alone (the last-applied JSON, e.g. a field
now spelled out with its default value, or the source annotation) is written but reported
`unchanged` — unlike kubectl, which says `configured` — so applying what `get -o yaml` printed
changes nothing. Every applied object also carries `reconciler.dev/source: <file>#<document
index>` (0-based), so `scale` can edit the right file; that annotation is kept out of
last-applied and out of the reported changes. With `prune`, objects the same source applied
before (its inventory, `api/inventory.py`) and no longer declares are deleted, never objects a
controller created.

Called by the CLI (`apply`, `diff`) and the GitOps daemon, with manifests the caller validated
already. When they were validated from their files (`validated`), creating them skips the api's
repeat of the same schema and rules check (defaulting keeps a valid object valid); an update is
still checked, since the three-way merge makes content no file held. Apply's bookkeeping costs in
proportion to what it applies: it writes the inventory entries of the objects it applied or
pruned and reads the whole inventory only to prune. Output is data (`ApplyReport`), never
printed here.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from reconciler.api import inventory as inventories
from reconciler.api.inert import inert_fields_warning
from reconciler.api.metadata import SERVER_OWNED
from reconciler.api.prune import PrunePlan, plan_prune, prune_objects
from reconciler.api.server import Api
from reconciler.errors import ApiError, ReconcilerError
from reconciler.model.diff import Change, diff
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.kinds import BY_KIND, kind_info
from reconciler.model.merge import three_way_merge, without_nulls
from reconciler.model.selectors import EVERYTHING, Selector

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
SOURCE = "reconciler.dev/source"
"""Annotation naming the manifest an object came from: `<absolute path>#<document index>`."""
STDIN_NAME = "STDIN"


class Action(StrEnum):
    """What apply did to one object, in kubectl's words."""

    CREATED = "created"
    CONFIGURED = "configured"
    UNCHANGED = "unchanged"
    PRUNED = "pruned"


@dataclass(frozen=True)
class Manifest:
    """One document to apply: the object, and the file and 0-based document index it came from
    (`path` None for stdin)."""

    obj: Obj
    path: str | None = None
    index: int = 0

    @property
    def origin(self) -> str:
        """How kubectl names where an object came from in errors: the file, or STDIN."""
        return self.path or STDIN_NAME


@dataclass(frozen=True)
class Outcome:
    """What happened to one object. `before` is the live object before apply (None when
    created), `after` the object as stored after it (None when pruned); `changes` the fields
    that differ between them (configured objects only; apply's annotations and server counters
    such as resourceVersion left out)."""

    key: ObjectKey
    action: Action
    dry_run: bool = False
    manifest: Manifest | None = None
    changes: tuple[Change, ...] = ()
    before: Obj | None = None
    after: Obj | None = None

    @property
    def line(self) -> str:
        """kubectl's line: `replicationcontroller/kubia created (dry run)`."""
        suffix = " (dry run)" if self.dry_run else ""
        return f"{resource_name(self.key)} {self.action}{suffix}"


@dataclass(frozen=True)
class Failure:
    """An object apply could not write; the others are still applied."""

    key: ObjectKey | None
    manifest: Manifest
    message: str


@dataclass
class ApplyReport:
    """Everything one apply did or, for a dry run, would do."""

    source_id: str
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def of(self, action: Action) -> list[Outcome]:
        """The outcomes with one action."""
        return [o for o in self.outcomes if o.action is action]


class _DryRunDone(Exception):
    """Carries a dry run's report out of the transaction it rolls back."""

    def __init__(self, report: ApplyReport) -> None:
        super().__init__("dry run")
        self.report = report


def apply(
    api: Api,
    manifests: Sequence[Manifest],
    *,
    source_id: str,
    dry_run: bool = False,
    prune: bool = False,
    selector: Selector = EVERYTHING,
    force_prune_all: bool = False,
    namespace: str = "default",
    validated: bool = False,
) -> ApplyReport:
    """Apply `manifests` (validated by the caller) and report one outcome per object.

    `selector` (kubectl's `-l`) restricts both what is applied and what may be pruned;
    `namespace` is where namespaced manifests without one go; `validated` says the manifests
    passed `source/validate.py` as they are (read from files that had no errors), so the api
    need not check them again when it creates them. With `prune`, a source that
    declares nothing, or a prune that would delete every object the source owns, raises
    `Refused` unless `force_prune_all`. A dry run does everything inside a store transaction
    that it then rolls back, so it reports exactly what would happen (a namespace created by
    the same apply counts) and writes nothing; it must not run inside an open transaction.
    Objects that fail are reported in `failures`; when any fails nothing is pruned. A real
    apply is one store transaction too (a commit per object cost more than many a create), so
    another process sees all of it or none of it.
    """
    options = _Options(source_id, prune, selector, force_prune_all, namespace, validated)
    if not dry_run:
        with api.store.transaction():
            return _apply(api, manifests, options, dry_run=False)
    start = api.store.revision()
    try:
        with api.store.transaction():
            raise _DryRunDone(_apply(api, manifests, options, dry_run=True))
    except _DryRunDone as done:
        report = done.report
    if api.store.revision() != start:
        raise RuntimeError("apply(dry_run=True) ran inside an open transaction and wrote")
    return report


@dataclass(frozen=True)
class _Options:
    source_id: str
    prune: bool
    selector: Selector
    force_prune_all: bool
    namespace: str
    validated: bool


def _apply(
    api: Api, manifests: Sequence[Manifest], options: _Options, *, dry_run: bool
) -> ApplyReport:
    report = ApplyReport(options.source_id, dry_run)
    namespace = options.namespace
    chosen = [m for m in manifests if options.selector.matches(_labels(m.obj))]
    plan = PrunePlan()
    if options.prune:
        declared = {_key(m.obj, namespace) for m in manifests if _has_key(m.obj)}
        owned = inventories.load(api.store, options.source_id)
        plan = plan_prune(
            api, owned, declared, selector=options.selector, force=options.force_prune_all
        )
    warning = inert_fields_warning([(m.obj, _resource_of(m.obj)) for m in chosen])
    if warning:
        report.warnings.append(warning)
    applied: dict[ObjectKey, str] = {}
    for manifest in sorted(chosen, key=lambda m: _rank(str(m.obj.get("kind", "")))):
        try:
            outcome = _apply_one(api, manifest, options, report=report)
        except ReconcilerError as error:
            report.failures.append(_failure(api, manifest, namespace, error))
            continue
        report.outcomes.append(outcome)
        if outcome.after is not None:
            applied[outcome.key] = outcome.after["metadata"]["uid"]
    doomed = sorted(plan.doomed, key=lambda obj: -_rank(obj["kind"]))
    pruned = prune_objects(api, doomed) if report.ok else []
    report.outcomes.extend(
        Outcome(ObjectKey.of(obj), Action.PRUNED, dry_run, before=obj) for obj in pruned
    )
    if not dry_run:
        forgotten = [ObjectKey.of(obj) for obj in pruned] + (plan.stale if report.ok else [])
        inventories.record(api.store, options.source_id, applied=applied, removed=forgotten)
    return report


def _apply_one(api: Api, manifest: Manifest, options: _Options, *, report: ApplyReport) -> Outcome:
    desired = _desired(manifest, options.namespace)
    key = ObjectKey.of(desired)
    live = api.find(key)
    dry_run = report.dry_run
    if live is None:
        fresh = without_nulls(desired)  # a copy down to the leaves, for this create alone
        created = api.create(fresh, validated=options.validated, handed_over=True)
        return Outcome(key, Action.CREATED, dry_run, manifest, after=created)
    annotations = (live.get("metadata") or {}).get("annotations") or {}
    last: Obj | None = None
    if LAST_APPLIED in annotations:
        last = json.loads(annotations[LAST_APPLIED])
    else:
        report.warnings.append(
            f"resource {kind_info(key.kind).plural}/{key.name} is missing the {LAST_APPLIED} "
            "annotation which is required by reconciler apply. reconciler apply should only be "
            "used on resources created declaratively by reconciler apply. The missing annotation "
            "will be patched automatically."
        )
    merged = three_way_merge(last, desired, live)
    would_be = api.update(merged, dry_run=True)
    if _without(live, SOURCE, LAST_APPLIED) == _without(would_be, SOURCE, LAST_APPLIED):
        if would_be != live:  # only the bookkeeping moved: a file renamed, a no-op field
            would_be = api.update(merged)
        return Outcome(key, Action.UNCHANGED, dry_run, manifest, before=live, after=would_be)
    updated = api.update(merged)
    changes = diff(_comparable(live), _comparable(updated))
    return Outcome(
        key, Action.CONFIGURED, dry_run, manifest, tuple(changes), before=live, after=updated
    )


def _desired(manifest: Manifest, namespace: str) -> Obj:
    """The manifest as apply sends it: namespace filled in, annotated with its own JSON
    (last-applied, as kubectl writes it: sorted keys, no spaces, a final newline) and its
    source. Status and server-owned metadata (uid, resourceVersion…) are dropped first, so the
    output of `get -o yaml` applies as unchanged. A manifest without a name is refused as
    kubectl refuses it. Only the levels changed here are copied: the rest is the manifest's own,
    never modified (the create path and the merge copy what they keep)."""
    obj = dict(manifest.obj)
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or not meta.get("name"):
        raise ReconcilerError("resource name may not be empty")
    meta = obj["metadata"] = dict(meta)
    obj.pop("status", None)
    for server_owned in (*SERVER_OWNED, "managedFields", "selfLink"):
        meta.pop(server_owned, None)
    info = kind_info(str(obj.get("kind", "")))
    if info.namespaced and not meta.get("namespace"):
        meta["namespace"] = namespace
    annotations = dict(meta.get("annotations") or {})
    annotations.pop(LAST_APPLIED, None)
    annotations.pop(SOURCE, None)
    meta["annotations"] = annotations
    last_applied = json.dumps(obj, sort_keys=True, separators=(",", ":")) + "\n"
    meta["annotations"] = {**annotations, LAST_APPLIED: last_applied}
    meta["annotations"][SOURCE] = (
        None if manifest.path is None else f"{manifest.path}#{manifest.index}"
    )
    return obj


def _failure(api: Api, manifest: Manifest, namespace: str, error: ReconcilerError) -> Failure:
    key = _key(manifest.obj, namespace) if _has_key(manifest.obj) else None
    exists = key is not None and api.find(key) is not None
    if isinstance(error, ApiError):
        verb = "applying" if exists else "creating"
        message = (
            f'Error from server ({error.reason}): error when {verb} "{manifest.origin}": '
            f"{error.args[0] if error.args else ''}"
        )
    else:
        message = f"error: {error}"
    return Failure(key, manifest, message)


def _rank(kind: str) -> int:
    """Dependency order: what others live in (cluster-scoped kinds: Namespaces), then
    Services (so their IPs exist before the pods that may use them), workloads, bare Pods."""
    info = BY_KIND.get(kind)
    if info is None or not info.namespaced:
        return 0
    if kind == "Service":
        return 1
    if kind == "Pod":
        return 3
    return 2


def _has_key(obj: Obj) -> bool:
    meta = obj.get("metadata")
    return bool(obj.get("kind") in BY_KIND and isinstance(meta, dict) and meta.get("name"))


def _key(obj: Obj, namespace: str) -> ObjectKey:
    info = kind_info(str(obj["kind"]))
    meta = obj["metadata"]
    ns = (meta.get("namespace") or namespace) if info.namespaced else ""
    return ObjectKey(info.kind, ns, meta["name"])


def _labels(obj: Obj) -> dict[str, str]:
    meta = obj.get("metadata")
    return (meta.get("labels") or {}) if isinstance(meta, dict) else {}


def _resource_of(obj: Obj) -> str:
    info = BY_KIND.get(str(obj.get("kind", "")))
    name = (obj.get("metadata") or {}).get("name", "")
    return f"{info.resource if info else str(obj.get('kind', '')).lower()}/{name}"


def resource_name(key: ObjectKey) -> str:
    """`replicationcontroller/kubia`, `deployment.apps/kubia`: how kubectl names an object."""
    return f"{kind_info(key.kind).resource}/{key.name}"


def _source_of(obj: Obj) -> str | None:
    return ((obj.get("metadata") or {}).get("annotations") or {}).get(SOURCE)


def _comparable(obj: Obj) -> Obj:
    """The object as a user compares it: no apply bookkeeping, no server counters."""
    result = _without(obj, SOURCE, LAST_APPLIED)
    for field_name in SERVER_OWNED:
        result["metadata"].pop(field_name, None)
    return result


def _without(obj: Obj, *annotations: str) -> Obj:
    """A copy without some annotations (and without an annotations map left empty)."""
    result = copy.deepcopy(obj)
    meta = result.get("metadata") or {}
    present = meta.get("annotations")
    if isinstance(present, dict):
        for name in annotations:
            present.pop(name, None)
        if not present:
            del meta["annotations"]
    return result
