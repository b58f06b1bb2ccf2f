"""The watched folder as the daemon sees it: which paths are manifests, and reading them.

A thin adapter over the source package, so that the daemon, its watcher's filter and
`reconciler status` agree with `reconciler validate` and `apply -f DIR` on what the folder holds:
`source/files.py` decides which paths are manifests (suffix, hidden, editor temp files,
`.reconcilerignore`, symbolic links leaving the folder), `source/cache.py` reads them and
`source/validate.py` checks each document (schema and rules).
A whole-folder read goes through one long-lived cache, so a resync re-reads only files whose
size or mtime moved; a batch reads just the files the watcher named. What comes back is a
`FileLoad` per file: apply's manifests (with the absolute path and document index apply records
in its source annotation) and the error lines, each `path:line:col: error: message`, the path
as the user wrote the folder. Warnings (an empty file) are not errors: such a file declares
nothing. No parsing or validation logic of its own.
"""

from __future__ import annotations

from pathlib import Path

from reconciler.api.apply import Manifest
from reconciler.errors import Position
from reconciler.runtime.desired import FileLoad
from reconciler.source.cache import Checker, FileEntry, SourceCache
from reconciler.source.files import ManifestTree, SourceFile, is_manifest_name
from reconciler.source.ignore import IGNORE_FILE
from reconciler.source.validate import check_document


class ManifestFolder:
    """One folder of manifests, read through the source package's cache."""

    def __init__(
        self,
        root: Path,
        *,
        display: str | None = None,
        checker: Checker = check_document,
        workers: int = 1,
    ) -> None:
        self.root = root
        self._tree = ManifestTree(root, display)
        self._checker = checker
        self._cache = SourceCache(checker=checker, workers=workers)

    def relevant(self, path: Path, directory: bool) -> bool:
        """Whether a changed path can matter (the watcher's filter): a manifest, a folder that
        may hold some, or an ignore file (which can change what every other path means)."""
        return self.is_ignore_file(path) or self._tree.wants(path, directory=directory)

    @staticmethod
    def is_ignore_file(path: Path) -> bool:
        """Whether a path is a `.reconcilerignore`: a change to it calls for a full read."""
        return path.name == IGNORE_FILE

    def is_manifest_name(self, path: Path) -> bool:
        """Whether a path found below the folder is named like a manifest (it may be gone)."""
        return is_manifest_name(path.name)

    def is_manifest_file(self, path: Path) -> bool:
        """Whether a path is a manifest file of the folder now."""
        return path.is_file() and self._tree.wants(path)

    def files(self, under: Path | None = None) -> list[Path]:
        """Every manifest file of the folder, or of one folder below it."""
        found = self._tree.files()
        if under is None:
            return found
        prefix = f"{under}/"
        return [path for path in found if str(path).startswith(prefix)]

    def relative(self, path: Path) -> str:
        """A file's path inside the folder (`apps/kubia-rc.yaml`), for logs and status."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def load(self, path: Path) -> FileLoad:
        """Read one file the watcher reported (it changed, so it is read again)."""
        single = SourceCache(checker=self._checker)
        snapshot = single.load_files([SourceFile(path, self._tree.display(path))])
        return _file_load(path, snapshot.files[0])

    def preload(self) -> None:
        """Parse every manifest file ahead of the first `load_all`, which still reads each file
        again and parses those whose bytes changed meanwhile (however soon after this)."""
        self.load_all()
        self._cache.recheck_contents()

    def load_all(self) -> dict[Path, FileLoad]:
        """Read every manifest file of the folder, reusing what did not change."""
        paths = self._tree.files()
        sources = [SourceFile(path, self._tree.display(path)) for path in paths]
        snapshot = self._cache.load_files(sources)
        return {
            path: _file_load(path, entry) for path, entry in zip(paths, snapshot.files, strict=True)
        }


def _file_load(path: Path, entry: FileEntry) -> FileLoad:
    documents = entry.documents
    return FileLoad(
        manifests=tuple(Manifest(d.obj, path=str(path), index=d.index) for d in documents),
        positions=tuple(
            Position(entry.display, *d.locate(("metadata", "name"))) for d in documents
        ),
        errors=tuple(str(d) for d in entry.diagnostics if d.is_error),
    )
