"""The per-file cache: a file is read and checked once per change, not once per command.

`validate_paths` (and the daemon, which keeps one `SourceCache` alive and reloads only what its
watcher reports) call `SourceCache.load`. In process, a file whose size, mtime, inode and ctime
are unchanged is not even opened; a file whose bytes hash the same as last time is not parsed
again. Optionally, an on-disk store keyed by path and content hash (under the state home) lets
a new process skip parsing and per-document checks for files it has seen before.

A load has two phases: `read` finds the files and reads each one far enough to know its content
(its digest), `load_reading` turns that `Reading` into documents and diagnostics, from the
caches or by parsing. `summarize_paths` stops after the first when the reading's fingerprint
names a run it remembers, so a second `reconciler validate` over an unchanged folder costs
little more than reading the files; before it, when the files' stat names one
(`fingerprint.stat_fingerprint`: files that have not changed in the last tenth of a second), it
does not read them at all.

The cache stores whatever a `Checker` says about each document (the validator's per-document
rules) next to the parse result, so it must be told, through `salt`, anything that would change
those answers (schema files, program version). It never validates by itself.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from reconciler.collector import collector_paused
from reconciler.source.diagnostics import Diagnostic, error
from reconciler.source.document import Document, FieldPath, Positions, Span
from reconciler.source.files import MAX_FILE_BYTES, TOO_LARGE, SourceFile, collect
from reconciler.source.fingerprint import short_digest
from reconciler.source.marshalled import read_value, write_value
from reconciler.source.parallel import parse_all

Checker = Callable[[Document], Sequence[Diagnostic]]
"""Per-document checks whose results are cached with the document (a pure function of it)."""

CACHE_FILE = "source-cache.marshal"
MAX_DISK_ENTRIES = 20_000
_FORMAT = 2


# The records below are NamedTuples rather than frozen dataclasses: a process that answers
# from the memo of summaries does little more than import this module and make one record per
# file, and a frozen dataclass costs several times as much to define and to make.


class FileEntry(NamedTuple):
    """One file as last read: its objects and every per-file and per-document diagnostic."""

    display: str
    digest: str
    documents: tuple[Document, ...]
    diagnostics: tuple[Diagnostic, ...]
    stat: tuple[int, int, int, int] | None = None
    """size, mtime_ns, inode, ctime_ns when read from a file; None for stdin and failures."""


class Snapshot(NamedTuple):
    """The result of one `load`: every file in order, and what changed since the last load."""

    files: tuple[FileEntry, ...]
    problems: tuple[Diagnostic, ...] = ()
    """Arguments that name nothing (a missing path)."""
    changed: frozenset[str] = frozenset()
    """Files (as displayed) that are new or whose content changed since the previous load."""
    removed: frozenset[str] = frozenset()
    """Files the previous load had and this one has not."""
    parsed: int = 0
    """How many files had to be parsed (missed both caches)."""

    @property
    def documents(self) -> list[Document]:
        return [document for entry in self.files for document in entry.documents]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        found = list(self.problems)
        for entry in self.files:
            found.extend(entry.diagnostics)
        return found


class Reading(NamedTuple):
    """The first phase of a load: every file in order, read far enough to know its content
    (an entry the in-process cache still holds, or the file's bytes and their digest), and the
    arguments that name nothing. `SourceCache.load_reading` finishes it."""

    files: tuple[FileEntry | _Miss, ...]
    problems: tuple[Diagnostic, ...]

    def fingerprint(self) -> str:
        """A digest of what the load's result depends on: each file's name and content digest,
        in order, and the problems. Two readings with the same fingerprint load the same."""
        contents = [(read.display, read.digest) for read in self.files]
        return short_digest(marshal.dumps((contents, [str(problem) for problem in self.problems])))


class SourceCache:
    """Parsed files by path; keep one instance to make repeated loads cheap. Cache misses are
    parsed on up to `workers` processes (`parallel.py`, which forks only a process with one
    thread): the commands and the daemon pass `workers_available()`."""

    def __init__(
        self,
        *,
        checker: Checker | None = None,
        disk: Path | None = None,
        salt: str = "",
        stdin: BinaryIO | None = None,
        workers: int = 1,
    ) -> None:
        self._checker = checker
        self._workers = workers
        self._entries: dict[str, FileEntry] = {}
        self._disk = _DiskStore(disk / CACHE_FILE, salt) if disk is not None else None
        self._stdin = stdin

    def load(self, arguments: Sequence[str]) -> Snapshot:
        """Read the files PATH arguments name (files, folders, `-`), reusing what is unchanged."""
        return self.load_reading(self.read(arguments))

    def load_files(
        self, files: Sequence[SourceFile], *, problems: Iterable[Diagnostic] = ()
    ) -> Snapshot:
        """Read exactly these files; the daemon passes the files of its folder."""
        return self.load_reading(self.read_files(files, problems=problems))

    def read(self, arguments: Sequence[str]) -> Reading:
        """The first phase of `load`: find the files PATH arguments name and read each one the
        in-process cache cannot vouch for (stdin included)."""
        files, problems = collect(arguments)
        return self.read_files(files, problems=problems)

    def read_files(
        self, files: Sequence[SourceFile], *, problems: Iterable[Diagnostic] = ()
    ) -> Reading:
        """The first phase of `load_files`."""
        # Both phases are one burst of allocation (the files' bytes, the disk store decoded,
        # documents built or parsed, workers' results unpickled) that forms almost no cycles:
        # with the collector running, its passes over the young objects cost 10 ms of a
        # 2,000-file load served from the disk store and 70 ms of one parsed from scratch.
        # Forked workers inherit the pause.
        with collector_paused():
            reads = [self._read(source, self._entries.get(source.display)) for source in files]
        return Reading(tuple(reads), tuple(problems))

    def load_reading(self, reading: Reading) -> Snapshot:
        """The second phase of a load: each file's documents and diagnostics from the caches or
        by parsing it; the reading becomes what the in-process cache holds."""
        with collector_paused():
            return self._load_reading(reading)

    def _load_reading(self, reading: Reading) -> Snapshot:
        reads = [self._lookup(read) if isinstance(read, _Miss) else read for read in reading.files]
        misses = [read for read in reads if isinstance(read, _Miss)]
        parsed = iter(self._parse_all(misses))
        entries: list[FileEntry] = []
        changed: set[str] = set()
        for read in reads:
            entry = self._remember(read, next(parsed)) if isinstance(read, _Miss) else read
            previous = self._entries.get(entry.display)
            if previous is None or previous.digest != entry.digest:
                changed.add(entry.display)
            entries.append(entry)
        removed = frozenset(self._entries) - {entry.display for entry in entries}
        self._entries = {entry.display: entry for entry in entries}
        if self._disk is not None:
            self._disk.save()
        return Snapshot(tuple(entries), reading.problems, frozenset(changed), removed, len(misses))

    def recheck_contents(self) -> None:
        """Make the next load read every file again and reuse an entry only when the bytes are
        the same, whatever the stat says: for a load that must see any write since this one,
        however close in time (the daemon parses its folder before its watcher starts)."""
        self._entries = {key: entry._replace(stat=None) for key, entry in self._entries.items()}

    def forget(self, displays: Iterable[str]) -> None:
        """Drop files from the in-process cache, so the next load re-reads them (the watcher
        calls this for paths it saw change, in case size and mtime look the same)."""
        for display in displays:
            self._entries.pop(display, None)

    def _read(self, source: SourceFile, previous: FileEntry | None) -> FileEntry | _Miss:
        """The file's entry when the in-process cache has it, else its bytes."""
        display = source.display
        if source.path is None:
            stream = self._stdin or sys.stdin.buffer
            data = stream.read(MAX_FILE_BYTES + 1)
            return _Miss(display, data, short_digest(data), None)
        try:
            info = os.stat(source.path)
        except OSError as exc:
            return _unreadable(display, exc)
        stat = (info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)
        if previous is not None and previous.stat == stat:
            return previous
        if info.st_size > MAX_FILE_BYTES:
            problem = error(display, 1, 1, TOO_LARGE)
            return FileEntry(display, f"size:{info.st_size}", (), (problem,), stat)
        try:
            data = _read_bytes(source.path, info.st_size)
        except OSError as exc:
            return _unreadable(display, exc)
        digest = short_digest(data)
        if previous is not None and previous.digest == digest:
            return _restat(previous, stat)
        return _Miss(display, data, digest, stat)

    def _lookup(self, miss: _Miss) -> FileEntry | _Miss:
        """The file's entry when the disk store has it, else the miss, to be parsed."""
        if self._disk is not None:
            cached = self._disk.get(miss.display, miss.digest)
            if cached is not None:
                return FileEntry(miss.display, miss.digest, cached[0], cached[1], miss.stat)
        return miss

    def _parse_all(
        self, misses: Sequence[_Miss]
    ) -> list[tuple[tuple[Document, ...], tuple[Diagnostic, ...]]]:
        """Parse and check the files no cache knows. The first is parsed in this process
        before any fork: it imports the YAML loader and the checks (which a run served wholly
        from the caches never needs), so that forked workers inherit them instead of each
        importing them again."""
        if not misses:
            return []
        first = self._parse(misses[0])
        return [first, *parse_all(misses[1:], self._parse, workers=self._workers)]

    def _parse(self, miss: _Miss) -> tuple[tuple[Document, ...], tuple[Diagnostic, ...]]:
        """Parse and check one file: a pure function of its bytes (run in a worker process
        when `parse_all` forks)."""
        from reconciler.source.loader import load_bytes

        result = load_bytes(miss.data, miss.display)
        diagnostics = list(result.diagnostics)
        if self._checker is not None:
            for document in result.documents:
                diagnostics.extend(self._checker(document))
        return result.documents, tuple(diagnostics)

    def _remember(
        self, miss: _Miss, parsed: tuple[tuple[Document, ...], tuple[Diagnostic, ...]]
    ) -> FileEntry:
        entry = FileEntry(miss.display, miss.digest, *parsed, miss.stat)
        if self._disk is not None:
            self._disk.put(miss.display, miss.digest, entry)
        return entry


class _Miss(NamedTuple):
    """A file the in-process cache does not know: its bytes, to be found in the disk store or
    parsed."""

    display: str
    data: bytes
    digest: str
    stat: tuple[int, int, int, int] | None


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)
"""Asked once: `getattr` with a default that is used costs an AttributeError per call."""


def _read_bytes(path: str | os.PathLike[str], size: int) -> bytes:
    """A file's bytes, read straight from the descriptor in one call of the size its stat gave
    (`Path.read_bytes` goes through a buffered reader and cost twice as much). Only a call that
    brings other than `size` bytes (the file changed meanwhile, or its file system answers in
    parts) is followed by more, to the end: asking every file for its end once more cost a
    tenth of reading a folder."""
    descriptor = os.open(path, _READ_FLAGS)
    try:
        parts = [os.read(descriptor, size + 1)]
        if len(parts[0]) != size:
            while parts[-1]:
                parts.append(os.read(descriptor, 65_536))
    finally:
        os.close(descriptor)
    return b"".join(parts)


def _restat(entry: FileEntry, stat: tuple[int, int, int, int]) -> FileEntry:
    """The same content under a new stat (a touch, or a save that changed nothing)."""
    return FileEntry(entry.display, entry.digest, entry.documents, entry.diagnostics, stat)


def _unreadable(display: str, exc: OSError) -> FileEntry:
    """A file that could not be read; the reason stands in for its digest, so that a reading's
    fingerprint tells one failure from another."""
    reason = exc.strerror or str(exc)
    problem = error(display, 0, 0, f"cannot read: {reason}")
    return FileEntry(display, f"unreadable:{reason}", (), (problem,))


# --- on disk -----------------------------------------------------------------------------------


class _DiskStore:
    """Parse-and-check results by (path, content hash) in one marshal file (`marshalled.py`:
    anything unreadable is an empty store). Written only when something new was parsed. Past
    `MAX_DISK_ENTRIES` the oldest entries are dropped.
    """

    def __init__(self, path: Path, salt: str) -> None:
        self.path = path
        self.salt = f"{_FORMAT}:{salt}"
        self._entries: dict[tuple[str, str], Any] | None = None
        self._used: set[tuple[str, str]] = set()
        self._dirty = False

    def _all(self) -> dict[tuple[str, str], Any]:
        if self._entries is None:
            entries = read_value(self.path, self.salt)
            self._entries = entries if isinstance(entries, dict) else {}
        return self._entries

    def get(
        self, display: str, digest: str
    ) -> tuple[tuple[Document, ...], tuple[Diagnostic, ...]] | None:
        raw = self._all().get((display, digest))
        if raw is None:
            return None
        try:
            documents = tuple(
                Document(path, index, obj, _LazyPositions(blob, root), item)
                for path, index, obj, blob, root, item in raw[0]
            )
            diagnostics = tuple(Diagnostic.from_plain(plain) for plain in raw[1])
        except (TypeError, ValueError, IndexError):
            return None
        self._used.add((display, digest))
        return documents, diagnostics

    def put(self, display: str, digest: str, entry: FileEntry) -> None:
        documents = tuple(
            (d.path, d.index, d.obj, _positions_blob(d.positions), d.positions.get(()), d.item)
            for d in entry.documents
        )
        diagnostics = tuple(diagnostic.plain() for diagnostic in entry.diagnostics)
        self._all()[(display, digest)] = (documents, diagnostics)
        self._used.add((display, digest))
        self._dirty = True

    def save(self) -> None:
        if not self._dirty or self._entries is None:
            return
        entries = self._entries
        if len(entries) > MAX_DISK_ENTRIES:  # keep what this process used, then the newest
            others = [key for key in entries if key not in self._used]
            room = max(0, MAX_DISK_ENTRIES - len(self._used))
            kept = [*others[len(others) - room :], *self._used] if room else list(self._used)
            entries = {key: entries[key] for key in kept}
        if write_value(self.path, self.salt, entries):
            self._dirty = False


class _LazyPositions(Mapping[FieldPath, Span]):
    """A document's positions, decoded from the disk store only when first asked for: a valid
    folder never needs them, and they are most of what the store holds. The root's span (the
    document's own line and column, which every listing of objects shows) is kept beside them,
    so asking for it decodes nothing."""

    __slots__ = ("_blob", "_positions", "_root")

    def __init__(self, blob: bytes, root: Span | None) -> None:
        self._blob = blob
        self._root = root
        self._positions: dict[FieldPath, Span] | None = None

    def _decoded(self) -> dict[FieldPath, Span]:
        if self._positions is None:
            self._positions = marshal.loads(self._blob)
        return self._positions

    def __getitem__(self, path: FieldPath) -> Span:
        if path == () and self._root is not None:
            return self._root
        return self._decoded()[path]

    def __iter__(self) -> Iterator[FieldPath]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())


def _positions_blob(positions: Positions) -> bytes:
    if isinstance(positions, _LazyPositions):
        return positions._blob
    return marshal.dumps(dict(positions))
