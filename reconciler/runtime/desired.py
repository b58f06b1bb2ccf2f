"""The desired state as the daemon knows it: each file's last good manifests and current errors.

The GitOps sync (runtime/sync.py) feeds it what the source read for the files that changed;
it answers what that means for the cluster: the manifests to apply now, the objects no file
declares any more (candidates for pruning), and the errors. A file that fails to load keeps its
last good manifests, so its objects are neither changed nor pruned until it is fixed, and its
errors clear by themselves when it loads again. Objects are identified per folder, not per file:
an object whose manifest moved from one file to another in the same update is still declared.
An object declared by two files is an error of the file that declared it second (the first
keeps it). Pure bookkeeping: no I/O, no cluster.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.api.apply import SOURCE, Manifest
from reconciler.errors import Position
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.kinds import BY_KIND

DEFAULT_NAMESPACE = "default"


@dataclass(frozen=True)
class FileLoad:
    """One manifest file as the source read and validated it."""

    manifests: tuple[Manifest, ...] = ()
    positions: tuple[Position, ...] = ()
    """Where each manifest's name is (same order), for errors that point at an object."""
    errors: tuple[str, ...] = ()
    """`path:line:col: message` lines; a file with any is not applied."""


@dataclass
class FileState:
    """What the daemon holds for one file."""

    manifests: tuple[Manifest, ...] = ()
    """The last good manifests (empty until the file first loaded cleanly)."""
    positions: tuple[Position, ...] = ()
    errors: tuple[str, ...] = ()
    refused: FileLoad | None = None
    """A clean reading refused only because another file declares the same object."""
    claimed: set[ObjectKey] = field(default_factory=set)
    """The objects this file owns (it declared them first)."""


@dataclass
class Update:
    """What an update of some files means for the cluster."""

    apply: list[Manifest] = field(default_factory=list)
    """Manifests of the files that loaded cleanly: to apply (unchanged ones change nothing)."""
    dropped: set[ObjectKey] = field(default_factory=set)
    """Objects the updated files declared before and no file declares now."""
    errors: list[str] = field(default_factory=list)
    """Current errors of the updated files."""
    fixed: list[Path] = field(default_factory=list)
    """Files that had errors before this update and have none now."""


def key_of(manifest: Manifest) -> ObjectKey | None:
    """The object a manifest declares, with the default namespace filled in as apply does;
    None when it names no known kind or no name (validation reports those)."""
    obj = manifest.obj
    meta = obj.get("metadata")
    info = BY_KIND.get(str(obj.get("kind", "")))
    if info is None or not isinstance(meta, dict) or not meta.get("name"):
        return None
    namespace = (meta.get("namespace") or DEFAULT_NAMESPACE) if info.namespaced else ""
    return ObjectKey(info.kind, namespace, str(meta["name"]))


def source_file(obj: Obj) -> str:
    """The file a live object was applied from: the path part of apply's
    `reconciler.dev/source` annotation (`<path>#<document index>`); "" when it has none."""
    source = ((obj.get("metadata") or {}).get("annotations") or {}).get(SOURCE) or ""
    return str(source).rpartition("#")[0]


def _position(positions: tuple[Position, ...], index: int, path: Path) -> Position:
    return positions[index] if index < len(positions) else Position(str(path))


class DesiredState:
    """Every file's last good manifests and errors, and which file declares which object.

    An update costs in proportion to the files it names, not to the folder."""

    def __init__(self) -> None:
        self.files: dict[Path, FileState] = {}
        self.owner: dict[ObjectKey, Path] = {}
        self._refused: set[Path] = set()
        self._kinds: Counter[str] = Counter()
        """How many declared objects there are of each kind (kept up to date with `owner`)."""

    def update(self, loads: Mapping[Path, FileLoad | None]) -> Update:
        """Take in what the source read for some files (None: the file is gone)."""
        update = Update()
        before: set[ObjectKey] = set()
        for path in loads:
            if path in self.files:
                before |= self._release(path)
        for path in sorted(loads):
            load = loads[path]
            if load is None:
                self.files.pop(path, None)
                self._refused.discard(path)
                continue
            state = self.files.setdefault(path, FileState())
            errors = list(load.errors) or self._duplicates(path, load)
            if errors:
                state.errors = tuple(errors)
                state.refused = None if load.errors else load
                if state.refused is None:
                    self._refused.discard(path)
                else:
                    self._refused.add(path)
                update.errors.extend(errors)
                self._claim(path, state.manifests)
            else:
                self._accept(path, load, update)
        for path in sorted(self._refused - set(loads)):
            # A file refused only for declaring what another file declared comes back by
            # itself once the other file lets go.
            refused = self.files[path].refused
            if refused is not None and not self._duplicates(path, refused):
                before |= self._release(path)
                self._accept(path, refused, update)
        update.dropped = {key for key in before if key not in self.owner}
        return update

    def replace(self, loads: Mapping[Path, FileLoad]) -> Update:
        """Take in a whole new reading of the folder: files not in `loads` are gone."""
        gone: dict[Path, FileLoad | None] = dict.fromkeys(set(self.files) - set(loads))
        return self.update({**gone, **loads})

    def _accept(self, path: Path, load: FileLoad, update: Update) -> None:
        state = self.files[path]
        if state.errors:
            update.fixed.append(path)
        state.manifests, state.positions = load.manifests, load.positions
        state.errors, state.refused = (), None
        self._refused.discard(path)
        self._claim(path, load.manifests)
        update.apply.extend(load.manifests)

    def _duplicates(self, path: Path, load: FileLoad) -> list[str]:
        """An object declared a second time, in the words of `reconciler validate`."""
        errors = []
        first: dict[ObjectKey, Position] = {}
        for index, manifest in enumerate(load.manifests):
            key = key_of(manifest)
            if key is None:
                continue
            here = _position(load.positions, index, path)
            elsewhere = self.owner.get(key)
            if key in first:
                where = first[key]
            elif elsewhere not in (None, path):
                where = self._position_of(key, elsewhere)
            else:
                first[key] = here
                continue
            info = BY_KIND[key.kind]
            namespace = f' in namespace "{key.namespace}"' if key.namespace else ""
            errors.append(
                f'{here}: error: {info.resource} "{key.name}"{namespace} is declared twice; '
                f"first at {where} ({info.resource}/{key.name})"
            )
        return errors

    def _position_of(self, key: ObjectKey, path: Path) -> Position:
        state = self.files[path]
        for index, manifest in enumerate(state.manifests):
            if key_of(manifest) == key:
                return _position(state.positions, index, path)
        return Position(str(path))

    def _claim(self, path: Path, manifests: Iterable[Manifest]) -> None:
        """Own the objects of `manifests` that no other file owns."""
        state = self.files[path]
        for manifest in manifests:
            key = key_of(manifest)
            if key is None:
                continue
            if key not in self.owner:
                self.owner[key] = path
                self._kinds[key.kind] += 1
            if self.owner[key] == path:
                state.claimed.add(key)

    def _release(self, path: Path) -> set[ObjectKey]:
        """Let go of everything a file owns; returns what it owned."""
        state = self.files[path]
        released, state.claimed = state.claimed, set()
        for key in released:
            if self.owner.get(key) == path:
                del self.owner[key]
                self._kinds[key.kind] -= 1
                if not self._kinds[key.kind]:
                    del self._kinds[key.kind]
        return released

    # -- questions -----------------------------------------------------------------------------

    def manifests(self) -> list[Manifest]:
        """Every last good manifest, file by file."""
        return [m for path in sorted(self.files) for m in self.files[path].manifests]

    def manifests_for(self, keys: Iterable[ObjectKey]) -> list[Manifest]:
        """The last good manifests of some objects (those still declared)."""
        wanted = set(keys)
        return [
            m
            for path in sorted({self.owner[k] for k in wanted if k in self.owner})
            for m in self.files[path].manifests
            if key_of(m) in wanted
        ]

    def kinds(self) -> set[str]:
        """The kinds of the declared objects, without a pass over them (the daemon asks after
        every step)."""
        return set(self._kinds)

    def broken(self) -> set[Path]:
        """Files that currently have errors."""
        return {path for path, state in self.files.items() if state.errors}

    def errors(self) -> list[str]:
        """Every current error, file by file."""
        return [e for path in sorted(self.files) for e in self.files[path].errors]
