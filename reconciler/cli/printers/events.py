"""`kubectl events`' own table (not `get events`): LAST SEEN as `2m (x3 over 10m)`, OBJECT as
`Pod/kubia-x` with the kind as the API spells it. A port of kubectl's EventPrinter; pure text."""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.cli.printers.columns import event_object, sort_events
from reconciler.cli.printers.describe.writer import event_interval
from reconciler.cli.printers.tabwriter import TabWriter
from reconciler.model.keys import Obj

HEADER = ("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE")


def events_table(
    events: Sequence[Obj],
    *,
    now: float,
    all_namespaces: bool = False,
    header: bool = True,
    writer: TabWriter | None = None,
) -> str:
    """The rows of `kubectl events`, oldest first. Pass the same `writer` (with remembered
    widths) for every batch of a watch, so later rows stay aligned with earlier ones."""
    writer = writer or TabWriter()
    if header:
        writer.write("\t".join((("NAMESPACE",) if all_namespaces else ()) + HEADER) + "\n")
    for event in sort_events(events):
        cells = [
            event_interval(event, now),
            str(event.get("type", "")),
            str(event.get("reason", "")),
            event_object(event, lower=False),
            str(event.get("message", "")).strip().split("\n")[0],
        ]
        if all_namespaces:
            cells.insert(0, (event.get("metadata") or {}).get("namespace", ""))
        writer.write("\t".join(cells) + "\n")
    return writer.flush()
