"""Validation: every document checked against its kind's schema and rules, then the folder as a
whole (no object declared twice).

The CLI's `validate` calls `summarize_paths`, which answers a run over unchanged files from a
memo of its `Summary` (`summary.py`); `apply` and the daemon use `validate_paths` (or a
long-lived `new_cache()`) to get the objects and their diagnostics; the api calls
`validate_object` for objects that come from no file. Per document, the checks run in order:
identity (apiVersion and kind), schema (`schema.py`, the one jsonschema user), rules
(`rules.py`); each finding becomes a `Diagnostic` placed at the offending key or value. This
module decides nothing about exit codes or printing.
"""

from __future__ import annotations

import functools
import importlib.util
import marshal
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from reconciler import __version__
from reconciler.clock import Clock, RealClock
from reconciler.collector import collector_paused
from reconciler.model.keys import Obj
from reconciler.model.kinds import BY_KIND
from reconciler.source.diagnostics import Diagnostic, FieldProblem, error
from reconciler.source.files import collect
from reconciler.source.fingerprint import short_digest, stat_fingerprint
from reconciler.source.summary import MEMO_FILE, Findings, ObjectSummary, Summary, SummaryMemo

if TYPE_CHECKING:  # imported where a run needs them: one the memo answers needs neither
    from reconciler.source.cache import Snapshot, SourceCache
    from reconciler.source.document import Document

DEFAULT_NAMESPACE = "default"


@dataclass(frozen=True)
class Report(Findings):
    """What a validation run found: the objects read and every problem, in file order."""

    files: int
    documents: tuple[Document, ...]
    diagnostics: tuple[Diagnostic, ...]


def object_label(obj: Obj) -> str:
    """How kubectl names an object in its output: `replicationcontroller/kubia`,
    `deployment.apps/web` ("" when the kind is unknown)."""
    kind = obj.get("kind")
    info = BY_KIND.get(kind) if isinstance(kind, str) else None
    if info is None:
        return ""
    name = (
        (obj.get("metadata") or {}).get("name") if isinstance(obj.get("metadata"), dict) else None
    )
    return f"{info.resource}/{name}" if isinstance(name, str) and name else info.resource


def check_document(document: Document) -> list[Diagnostic]:
    """Identity, schema and rules for one document: a pure function of it, so the source cache
    keeps the result with the parsed file. The checks are imported here, at the first document
    that needs them: a run served wholly from the cache never does (~15 ms of imports)."""
    from reconciler.source.rules import identity_problems, rule_problems
    from reconciler.source.schema import schema_problems

    obj = document.obj
    info, problems = identity_problems(obj)
    if info is not None:
        problems = schema_problems(obj) + rule_problems(obj, info)
    label = object_label(obj)
    return [_place(document, problem, label) for problem in problems]


def validate_object(obj: Obj) -> list[Diagnostic]:
    """Problems with an object that comes from no file (created from the command line); the
    diagnostics have no path, line or column."""
    from reconciler.source.document import Document

    return check_document(Document("", 0, obj, {}))


def duplicate_problems(documents: Iterable[Document]) -> list[Diagnostic]:
    """An object (kind, namespace, name) declared a second time, pointing at both places."""
    first: dict[tuple[str, str, str], Document] = {}
    problems: list[Diagnostic] = []
    for document in documents:
        key = _identity(document.obj)
        if key is None:
            continue
        if key not in first:
            first[key] = document
            continue
        earlier = first[key]
        line, column = earlier.locate(("metadata", "name"))
        where = f"{earlier.path}:{line}:{column}" if earlier.path else "an earlier document"
        namespace = f' in namespace "{key[1]}"' if key[1] else ""
        info = BY_KIND[key[0]]
        message = f'{info.resource} "{key[2]}"{namespace} is declared twice; first at {where}'
        here = _place(
            document, FieldProblem(("metadata", "name"), message), object_label(document.obj)
        )
        problems.append(here)
    return problems


def validate_documents(documents: Sequence[Document]) -> list[Diagnostic]:
    """Every check for documents already parsed (no cache involved)."""
    found = [d for document in documents for d in check_document(document)]
    return found + duplicate_problems(documents)


def new_cache(
    *, disk: Path | None = None, stdin: BinaryIO | None = None, workers: int = 1
) -> SourceCache:
    """A source cache that validates what it parses; keep it to make later loads cheap, and
    give it `disk` (a folder) to share results between processes."""
    from reconciler.source.cache import SourceCache  # here: see the TYPE_CHECKING imports

    return SourceCache(
        checker=check_document, disk=disk, salt=_salt(), stdin=stdin, workers=workers
    )


def validate_paths(
    paths: Sequence[str],
    *,
    cache: SourceCache | None = None,
    disk: Path | None = None,
    stdin: BinaryIO | None = None,
    workers: int = 1,
) -> Report:
    """Read and validate the files PATH arguments name (files, folders recursively, `-`), on
    `workers` processes when there are many (see `SourceCache`)."""
    cache = cache or new_cache(disk=disk, stdin=stdin, workers=workers)
    return _report(paths, cache.load(paths))


def summarize_paths(
    paths: Sequence[str],
    *,
    disk: Path | None,
    workers: int,
    stdin: BinaryIO | None = None,
    clock: Clock | None = None,
) -> Summary:
    """`validate_paths`, summarized. With `disk`, a run whose arguments, files and program are
    those of one of the last runs is answered from the memo there: by the files' stat alone when
    none changed just before the run that stored it and this one (`fingerprint.settled`; without
    reading them), else after reading them, by their contents; either way without loading any
    file's results. `clock` tells the time the files' last changes are compared with."""
    files, problems = collect(paths)
    memo = SummaryMemo(disk / MEMO_FILE) if disk is not None else None
    unchanged = None
    if memo is not None:
        now = (clock or RealClock()).now()
        stat = stat_fingerprint(files, problems, taken_at=int(now * 1e9))
        unchanged = None if stat is None else (_salt(), tuple(paths), stat)
        summary = None if unchanged is None else memo.get_unchanged(unchanged)
        if summary is not None:
            return summary
    cache = new_cache(disk=disk, stdin=stdin, workers=workers)
    reading = cache.read_files(files, problems=problems)
    key = (_salt(), tuple(paths), reading.fingerprint())
    summary = memo.get(key) if memo is not None else None
    if summary is None:
        snapshot = cache.load_reading(reading)
        with collector_paused():  # another burst of allocation without cycles (see the cache)
            summary = summarize(_report(paths, snapshot))
    elif unchanged is None:  # remembered, and nothing new to say about its files
        return summary
    if memo is not None:
        memo.put(key, summary, unchanged=unchanged)
    return summary


def summarize(report: Report) -> Summary:
    """A report without its documents: what `validate` prints of each object."""
    objects = []
    for document in report.documents:
        obj = document.obj
        meta: dict[str, Any] = obj["metadata"] if isinstance(obj.get("metadata"), dict) else {}
        objects.append(
            ObjectSummary(
                object_label(obj),
                obj.get("apiVersion"),
                obj.get("kind"),
                meta.get("namespace"),
                meta.get("name"),
                document.path,
                document.line,
                document.column,
            )
        )
    return Summary(report.files, tuple(objects), report.diagnostics)


def _report(paths: Sequence[str], snapshot: Snapshot) -> Report:
    """The snapshot's documents and diagnostics plus the checks across files, in file order."""
    documents = snapshot.documents
    diagnostics = snapshot.diagnostics + duplicate_problems(documents)
    if not documents and not any(d.is_error for d in diagnostics):
        diagnostics.append(error("", 0, 0, f"no objects found in {' '.join(paths)}"))
    order = {entry.display: index for index, entry in enumerate(snapshot.files)}
    last = len(order)  # problems of the whole run come after the files' own
    diagnostics.sort(key=lambda d: (order.get(d.path, -1 if d.path else last), d.line, d.column))
    return Report(len(snapshot.files), tuple(documents), tuple(diagnostics))


def _identity(obj: Obj) -> tuple[str, str, str] | None:
    kind: Any = obj.get("kind")
    info = BY_KIND.get(kind) if isinstance(kind, str) else None
    meta: Any = obj.get("metadata")
    if info is None or not isinstance(meta, dict):
        return None
    name, namespace = meta.get("name"), meta.get("namespace")
    if not isinstance(name, str) or not name:
        return None
    if not info.namespaced:
        return info.kind, "", name
    return (
        info.kind,
        namespace if isinstance(namespace, str) and namespace else DEFAULT_NAMESPACE,
        name,
    )


def _place(document: Document, problem: FieldProblem, label: str) -> Diagnostic:
    from reconciler.source.document import render_field  # here: see the TYPE_CHECKING imports

    if document.path:
        line, column = document.locate(problem.field, key=problem.at_key)
    else:
        line = column = 0
    field = render_field(problem.field)
    return Diagnostic(document.path, line, column, problem.severity, problem.message, label, field)


VERDICT_LIBRARIES = ("ruamel.yaml", "jsonschema", "fastjsonschema")
"""The libraries whose answers a cached result holds: the parser and the two schema checkers."""


@functools.cache
def _salt() -> str:
    """What cached validation results depend on: the program version, every file that
    parsing and checking may read (so a development change cannot serve stale results) and
    the libraries doing it (so an upgrade cannot either), each by its stat, as installing or
    editing rewrites it (reading the 44 files cost a millisecond of a run the memo answers).
    Computed once per process: the cache and the memo's key both ask."""
    parts = [_stamp(file) for file in salted_files()]
    parts.extend(library_stamps(VERDICT_LIBRARIES))
    return f"{__version__}:{short_digest(marshal.dumps(parts))}"


def _stamp(file: Path) -> str:
    info = file.stat()
    return f"{file}:{info.st_size}:{info.st_mtime_ns}"


def library_stamps(names: Iterable[str]) -> list[str]:
    """Each library as installed: its entry file's path, size and modification time, which
    installing another version rewrites. Found without importing it (a cached run needs none of
    them); asking importlib.metadata for versions would cost about 10 ms a run."""
    stamps = []
    for name in names:
        entry = _entry_file(name)
        stamps.append(f"{name}:absent" if entry is None else f"{name}:{_stamp(entry)}")
    return stamps


def _entry_file(name: str) -> Path | None:
    """A package's `__init__.py` (or a module's file), looked up without importing anything:
    `find_spec` of a dotted name would import its parent (`ruamel`)."""
    top, _, rest = name.partition(".")
    spec = importlib.util.find_spec(top)
    if spec is None:
        return None
    if not rest:
        return Path(spec.origin) if spec.origin and os.path.exists(spec.origin) else None
    for folder in spec.submodule_search_locations or ():
        entry = Path(folder, *rest.split("."), "__init__.py")
        if entry.exists():
            return entry
    return None


def salted_files() -> list[Path]:
    """The package's top-level, `model` and `source` modules (the layers contract in
    pyproject.toml lets `source` import nothing else of the package) and the schema files
    `schema.py` reads."""
    package = Path(__file__).parents[1]
    modules = [
        module
        for folder in (package, package / "model", package / "source")
        for module in sorted(folder.glob("*.py"))
    ]
    return [*modules, *sorted((package / "schemas").glob("*.json"))]
