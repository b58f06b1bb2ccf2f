"""The watched folder as the daemon sees it: which paths are manifests, and reading one file.

The daemon, the watcher's filter and `reconciler status` ask here which paths matter (manifest
files below the folder, not hidden, not editor temp files, not symbolic links leaving it) and
read one file at a time into a `FileLoad`. Interim: it parses with ruamel.yaml's safe loader
itself until the source package's loader (positions, schema validation, per-file cache) lands;
then it becomes a thin adapter over that loader, with the same interface.
"""

from __future__ import annotations

import os
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from reconciler.api.apply import Manifest
from reconciler.errors import Position
from reconciler.runtime.desired import FileLoad

SUFFIXES = (".yaml", ".yml", ".json")


def _temporary(name: str) -> bool:
    return (
        name == "4913"
        or name.endswith(("~", ".swp", ".swx", ".tmp"))
        or name.startswith((".#", "#"))
        or name.startswith(".")
    )


class ManifestFolder:
    """One folder of manifests."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def relevant(self, path: Path, directory: bool) -> bool:
        if any(part.startswith(".") for part in path.relative_to(self.root).parts):
            return False
        return directory or self.is_manifest_name(path)

    def is_manifest_name(self, path: Path) -> bool:
        return path.suffix in SUFFIXES and not _temporary(path.name)

    def is_manifest_file(self, path: Path) -> bool:
        if not self.is_manifest_name(path) or not path.is_file():
            return False
        return not path.is_symlink() or self.root.resolve() in path.resolve().parents

    def files(self, under: Path | None = None) -> list[Path]:
        start = under or self.root
        found = []
        for top, dirs, names in os.walk(start):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in names:
                path = Path(top) / name
                if self.is_manifest_file(path):
                    found.append(path)
        return sorted(found)

    def relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def load(self, path: Path) -> FileLoad:
        try:
            text = path.read_text()
        except (OSError, UnicodeDecodeError) as error:
            return FileLoad(errors=(f"{path}:1:1: error: cannot read: {error}",))
        yaml = YAML(typ="safe")
        try:
            docs = [d for d in yaml.load_all(text) if d is not None]
        except MarkedYAMLError as error:
            mark = error.problem_mark
            where = Position(
                str(path), (mark.line + 1) if mark else 1, (mark.column + 1) if mark else 1
            )
            return FileLoad(errors=(f"{where}: error: {error.problem}",))
        manifests = tuple(Manifest(d, path=str(path), index=i) for i, d in enumerate(docs))
        errors = tuple(f"{path}:1:1: error: not a mapping" for d in docs if not isinstance(d, dict))
        return FileLoad(manifests, tuple(Position(str(path)) for _ in manifests), errors)
