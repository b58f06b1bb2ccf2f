"""`scale`: state a new replica count, in the folder when the object came from one.

An object applied from a manifest carries `reconciler.dev/source: <file>#<document index>`.
Scaling it rewrites `spec.replicas` in that file with a round-trip edit (comments and layout
kept, `source/editor.py`) and applies the edited document, so the folder stays the source of
truth and a GitOps daemon sees no drift. `live=True`, or an object with no manifest, changes
only the cluster (a daemon watching the folder then reports the difference as drift).
Called by the CLI `scale` command; prints nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconciler.api import inventory as inventories
from reconciler.api.apply import SOURCE, Manifest, apply
from reconciler.api.server import Api
from reconciler.errors import ManifestError, Position, ReconcilerError, UsageError
from reconciler.model.keys import ObjectKey
from reconciler.model.kinds import kind_info
from reconciler.source.editor import read_document, set_value

SCALABLE = ("ReplicationController", "ReplicaSet", "Deployment")


@dataclass(frozen=True)
class Scaled:
    """What `scale` did: the manifest it edited (None when only the cluster changed)."""

    key: ObjectKey
    replicas: int
    manifest: Path | None = None


def source_of(annotation: str) -> tuple[Path, int]:
    """`/abs/kubia.yaml#0` -> (path, 0)."""
    path, _, index = annotation.rpartition("#")
    if not path or not index.isdigit():
        raise UsageError(f"unreadable {SOURCE} annotation {annotation!r}")
    return Path(path), int(index)


def owning_source(api: Api, key: ObjectKey, manifest: Path) -> str:
    """The source id whose inventory holds `key`: the folder it was applied from (the nearest
    enclosing one that recorded it), else the file itself."""
    for candidate in (manifest, *manifest.parents):
        source_id = inventories.source_id_for([candidate])
        if inventories.uid_of(api.store, source_id, key) is not None:
            return source_id
    return inventories.source_id_for([manifest])


def scale(api: Api, key: ObjectKey, *, replicas: int, live: bool = False) -> Scaled:
    """Make `replicas` the desired count of an RC, RS or Deployment."""
    if key.kind not in SCALABLE:
        raise UsageError(
            f"{kind_info(key.kind).plural} cannot be scaled: only replicationcontrollers, "
            "replicasets and deployments have replicas"
        )
    if replicas < 0:
        raise UsageError(
            "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"
        )
    obj = api.get(key)
    annotation = (obj["metadata"].get("annotations") or {}).get(SOURCE)
    if live or not annotation:
        with api.store.transaction():
            current = api.get(key)
            current["spec"]["replicas"] = replicas
            api.update(current)
        return Scaled(key, replicas)
    path, index = declaring_document(key, annotation)
    set_value(path, index, keys=("spec", "replicas"), value=replicas)
    apply_document(api, key, path=path, index=index)
    return Scaled(key, replicas, path)


def declaring_document(key: ObjectKey, annotation: str) -> tuple[Path, int]:
    """The manifest file and document index an object was applied from (its `SOURCE`
    annotation), checked to exist and to declare the object still; imperative verbs that keep
    the folder the truth (`scale`, `set image`) edit it there."""
    path, index = source_of(annotation)
    if not path.exists():
        raise UsageError(
            f"{kind_info(key.kind).resource}/{key.name} came from {path}, which no longer "
            "exists; restore it, or use --live to change only the cluster"
        )
    declared = read_document(path, index)
    if declared.get("kind") != key.kind or (declared.get("metadata") or {}).get("name") != (
        key.name
    ):
        raise ManifestError(
            f"document {index} no longer declares {kind_info(key.kind).resource}/{key.name}; "
            "apply the folder, or use --live to change only the cluster",
            Position(str(path)),
        )
    return path, index


def apply_document(api: Api, key: ObjectKey, *, path: Path, index: int) -> None:
    """Apply one (edited) document of a manifest file, as part of the source that holds it."""
    document = read_document(path, index)
    report = apply(
        api,
        [Manifest(document, str(path), index)],
        source_id=owning_source(api, key, path),
        namespace=key.namespace or "default",
    )
    if report.failures:
        raise ReconcilerError(report.failures[0].message)
