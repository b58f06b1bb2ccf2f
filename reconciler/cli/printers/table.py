"""`kubectl get`'s human-readable tables: headers from the kinds registry, cells from
`columns.py`, alignment from `tabwriter.py`.

Adds what kubectl adds around a kind's own columns: NAMESPACE first with `-A` (namespaced kinds
only), LABELS last with `--show-labels`, `kind/name` in the NAME column when several kinds are
listed at once, and a blank line between the tables of different kinds. `TableWriter` keeps
column widths across flushes for `get -w`, whose rows arrive one at a time. Pure text; callers
print it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.cli.printers.columns import CELLS, format_labels
from reconciler.cli.printers.tabwriter import TabWriter
from reconciler.model.keys import Obj
from reconciler.model.kinds import KindInfo


@dataclass(frozen=True)
class TableOptions:
    """The flags of `get` that change a table's shape."""

    wide: bool = False
    all_namespaces: bool = False
    show_labels: bool = False
    with_kind: bool = False
    """Prefix names with their resource (`pod/kubia-x`), as kubectl does for several kinds."""


def header(info: KindInfo, options: TableOptions) -> list[str]:
    """The header cells of a table of `info` objects."""
    cells = list(info.header(wide=options.wide))
    if options.all_namespaces and info.namespaced:
        cells.insert(0, "NAMESPACE")
    if options.show_labels:
        cells.append("LABELS")
    return cells


def row(obj: Obj, info: KindInfo, *, now: float, options: TableOptions) -> list[str]:
    """The cells of one object's row."""
    cells = CELLS[info.kind](obj, now, options.wide)
    meta = obj.get("metadata") or {}
    if options.with_kind and "NAME" in info.header(wide=options.wide):
        index = list(info.header(wide=options.wide)).index("NAME")
        cells[index] = f"{info.resource}/{cells[index]}"
    if options.all_namespaces and info.namespaced:
        cells.insert(0, meta.get("namespace", ""))
    if options.show_labels:
        cells.append(format_labels(meta.get("labels")))
    return cells


def _line(cells: Sequence[str]) -> str:
    # A tab inside a cell would split it; kubectl escapes them the same way.
    return "\t".join(cell.replace("\t", " ").replace("\n", " ") for cell in cells) + "\n"


class TableWriter:
    """Writes tables of one or more kinds; widths only grow, as in `kubectl get -w`."""

    def __init__(self, options: TableOptions, *, remember_widths: bool = False) -> None:
        self.options = options
        self._writer = TabWriter(remember_widths=remember_widths)
        self._kind: str | None = None
        self._written = False

    def rows(self, info: KindInfo, objs: Sequence[Obj], *, now: float) -> str:
        """Rows for `objs`, preceded by a header when the kind changes (and a blank line
        before a second table)."""
        text = ""
        if info.kind != self._kind:
            if self._written:
                text = self._writer.flush() + "\n"
                self._writer = TabWriter(remember_widths=self._writer.remember_widths)
            self._writer.write(_line(header(info, self.options)))
            self._kind = info.kind
        for obj in objs:
            self._writer.write(_line(row(obj, info, now=now, options=self.options)))
        self._written = True
        return text + self._writer.flush()


def render(info: KindInfo, objs: Sequence[Obj], *, now: float, options: TableOptions) -> str:
    """One aligned table (header included)."""
    return TableWriter(options).rows(info, objs, now=now)
