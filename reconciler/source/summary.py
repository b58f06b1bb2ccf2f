"""What a validation run found, without the documents, and a memo of it between processes.

`reconciler validate` prints a `Summary`: how many files, one `ObjectSummary` per object (what
`-o json` lists) and the diagnostics. It is plain data, so `SummaryMemo` can keep it in a small
marshal file of its own (`marshalled.py`) beside the per-file disk store, and a second run over
an unchanged folder prints it again without loading the per-file store or building a document.
`validate.summarize_paths` decides the keys (everything the summary depends on) and when to ask:
by the files' contents (`Reading.fingerprint`), or, without reading them, by their stat
(`fingerprint.stat_fingerprint`) once they have been unchanged for a while. The memo only keeps the
newest `MAX_SUMMARIES` values, written on a miss, and reads anything unreadable, corrupt or of
another format as empty.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, overload

from reconciler.source.diagnostics import Diagnostic, Severity
from reconciler.source.marshalled import read_value, write_value

MEMO_FILE = "validate-summaries.marshal"
MAX_SUMMARIES = 16
"""Enough for a few folders and argument lists used in turn; each holds a whole run's objects."""
MEMO_FORMAT = "summaries:3"
"""The memo file's header (`marshalled.py`): another one reads as an empty memo."""

MemoKey = tuple[str, tuple[str, ...], str]
"""What a summary depends on: the validation salt, the PATH arguments, and a fingerprint of the
files (of their contents, or of their stat)."""


class Findings:
    """Counts that `Report` and `Summary` share, from their diagnostics."""

    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity is Severity.WARNING)

    @property
    def valid(self) -> bool:
        return self.errors == 0


class ObjectSummary(NamedTuple):
    """One object as `validate -o json` lists it. The identifying fields are whatever the file
    holds there (any YAML value, or None when absent), since invalid objects are listed too."""

    label: str
    """As kubectl names it (`replicationcontroller/kubia`), "" for an unknown kind."""
    api_version: Any
    kind: Any
    namespace: Any
    name: Any
    path: str
    line: int
    column: int


@dataclass(frozen=True)
class Summary(Findings):
    """A validation run as printed: files read, objects found, and every problem in order."""

    files: int
    objects: Sequence[ObjectSummary]
    diagnostics: tuple[Diagnostic, ...]

    def plain(self) -> tuple[int, int, bytes, tuple[tuple[Any, ...], ...]]:
        """The summary as plain values (`from_plain` reverses it); the objects marshalled apart,
        so that a summary read back decodes them only when asked (`ObjectRows`)."""
        rows = marshal.dumps(tuple(tuple(row) for row in self.objects))
        return self.files, len(self.objects), rows, tuple(d.plain() for d in self.diagnostics)

    @staticmethod
    def from_plain(plain: Any) -> Summary:
        """A summary from `plain()`'s values (ValueError or TypeError when they are not)."""
        files, count, rows, diagnostics = plain
        if not isinstance(files, int) or not isinstance(count, int):
            raise TypeError("files and objects are not counts")
        if not isinstance(rows, bytes):
            raise TypeError("objects are not marshalled")
        return Summary(
            files,
            ObjectRows(count, rows),
            tuple(Diagnostic.from_plain(d) for d in diagnostics),
        )


class ObjectRows(Sequence[ObjectSummary]):
    """A remembered summary's objects, decoded on first use: the text output only counts them,
    and decoding 2,000 of them cost 1.6 ms of a `validate` the memo answers."""

    def __init__(self, count: int, marshalled: bytes) -> None:
        self._count = count
        self._marshalled = marshalled
        self._rows: tuple[ObjectSummary, ...] | None = None

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> ObjectSummary: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[ObjectSummary, ...]: ...

    def __getitem__(self, index: int | slice) -> ObjectSummary | tuple[ObjectSummary, ...]:
        return self._decoded()[index]

    def __iter__(self) -> Iterator[ObjectSummary]:
        return iter(self._decoded())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]  # equal to a tuple, so unhashable like a list

    def _decoded(self) -> tuple[ObjectSummary, ...]:
        if self._rows is None:
            self._rows = tuple(ObjectSummary(*row) for row in marshal.loads(self._marshalled))
        return self._rows


class SummaryMemo:
    """The newest summaries, in one marshal file: (key, unchanged key or None, marshalled
    summary), newest first. `key` names the files by content; `unchanged`, when set, by the stat
    that vouched for that content. Each summary stays marshalled until asked for, so a hit
    decodes only its own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: list[tuple[Any, Any, bytes]] | None = None

    def get(self, key: MemoKey) -> Summary | None:
        """The summary stored under `key` (by content), or None."""
        return self._find(0, key)

    def get_unchanged(self, unchanged: MemoKey) -> Summary | None:
        """The summary whose files had exactly this stat (see `fingerprint.stat_fingerprint`)."""
        return self._find(1, unchanged)

    def put(self, key: MemoKey, summary: Summary, *, unchanged: MemoKey | None) -> None:
        """Store a summary as the newest, dropping the oldest past `MAX_SUMMARIES` (best
        effort: a summary that cannot be written is simply not remembered)."""
        try:
            blob = marshal.dumps(summary.plain())
        except ValueError:  # a value marshal cannot hold: nothing to remember
            return
        older = [entry for entry in self._all() if entry[0] != key]
        self._entries = [(key, unchanged, blob), *older][:MAX_SUMMARIES]
        write_value(self.path, MEMO_FORMAT, tuple(self._entries))

    def _find(self, field: int, wanted: MemoKey) -> Summary | None:
        for entry in self._all():
            if entry[field] == wanted:
                try:
                    return Summary.from_plain(marshal.loads(entry[2]))
                except (EOFError, ValueError, TypeError):
                    return None
        return None

    def _all(self) -> list[tuple[Any, Any, bytes]]:
        if self._entries is None:
            value = read_value(self.path, MEMO_FORMAT)
            well_formed = isinstance(value, tuple) and all(
                isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[2], bytes)
                for entry in value
            )
            self._entries = list(value) if well_formed else []
        return self._entries
