"""The building blocks every `kubectl describe` layout shares.

A port of the helpers in kubernetes/kubernetes staging/src/k8s.io/kubectl/pkg/describe/describe.go:
`PrefixWriter` (two spaces per level, tab-separated cells aligned by a tabwriter with padding 2),
multi-line Labels/Annotations/Tolerations, timestamps in RFC 1123 with numeric zone, and the
Events table that ends every description. Pure text; callers pass the objects and "now".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from reconciler.cli.printers.columns import sort_events
from reconciler.cli.printers.tabwriter import DESCRIBE_MIN_WIDTH, DESCRIBE_PADDING, TabWriter
from reconciler.clock import parse_rfc3339
from reconciler.model.ages import since
from reconciler.model.keys import Obj

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
"""describe never shows this annotation (kubectl's skipAnnotations)."""
MAX_ANNOTATION_LENGTH = 140
NONE = "<none>"


class PrefixWriter:
    """Writes indented, tab-separated text; `text()` returns it aligned as kubectl aligns it."""

    def __init__(self) -> None:
        self._writer = TabWriter(min_width=DESCRIBE_MIN_WIDTH, padding=DESCRIBE_PADDING)
        self._done: list[str] = []

    def write(self, level: int, text: str) -> None:
        self._writer.write("  " * level + text)

    def line(self, level: int, text: str) -> None:
        self.write(level, text + "\n")

    def flush(self) -> None:
        """End the current alignment block (kubectl flushes before the Events table)."""
        self._done.append(self._writer.flush())

    def text(self) -> str:
        self.flush()
        return "".join(self._done)


def rfc1123z(timestamp: str | None) -> str:
    """Go's time.RFC1123Z in the local zone, as kubectl prints times in describe."""
    if not timestamp:
        return "Mon, 01 Jan 0001 00:00:00 +0000"
    moment = datetime.fromtimestamp(parse_rfc3339(timestamp)).astimezone()
    return moment.strftime("%a, %d %b %Y %H:%M:%S %z")


def object_header(w: PrefixWriter, meta: Mapping[str, Any]) -> None:
    """Name, Namespace, Labels and Annotations: the lines most layouts open with."""
    w.write(0, f"Name:\t{meta.get('name', '')}\n")
    w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
    labels_multiline(w, "Labels", meta.get("labels"))
    annotations_multiline(w, "Annotations", meta.get("annotations"))


def labels_multiline(
    w: PrefixWriter, title: str, labels: Mapping[str, str] | None, *, indent: str = ""
) -> None:
    """`Labels:  app=kubia` then one `key=value` per line under it, sorted."""
    w.write(0, f"{indent}{title}:\t")
    if not labels:
        w.write(0, NONE + "\n")
        return
    for index, key in enumerate(sorted(labels)):
        if index:
            w.write(0, f"{indent}\t")
        w.write(0, f"{key}={labels[key]}\n")


def annotations_multiline(
    w: PrefixWriter, title: str, annotations: Mapping[str, str] | None
) -> None:
    """`Annotations:  key: value`; long or multi-line values go below their key, cut at 140."""
    w.write(0, f"{title}:\t")
    keys = sorted(key for key in annotations or {} if key != LAST_APPLIED)
    if not keys:
        w.write(0, NONE + "\n")
        return
    for index, key in enumerate(keys):
        if index:
            w.write(0, "\t")
        value = (annotations or {})[key].removesuffix("\n")
        if len(value) + len(key) + 2 > MAX_ANNOTATION_LENGTH or "\n" in value:
            w.write(0, f"{key}:\n")
            for part in value.split("\n"):
                w.write(0, f"\t  {_shorten(part, MAX_ANNOTATION_LENGTH - 2)}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def _shorten(text: str, length: int) -> str:
    return text[:length] + "..." if len(text) > length else text


def tolerations_multiline(
    w: PrefixWriter,
    title: str,
    tolerations: Sequence[Mapping[str, Any]] | None,
    *,
    indent: str = "",
) -> None:
    """`node.kubernetes.io/not-ready:NoExecute op=Exists for 300s`, one per line."""
    w.write(0, f"{indent}{title}:\t")
    if not tolerations:
        w.write(0, NONE + "\n")
        return
    for index, toleration in enumerate(sorted(tolerations, key=lambda t: t.get("key", ""))):
        if index:
            w.write(0, f"{indent}\t")
        key, value, effect = (toleration.get(k, "") for k in ("key", "value", "effect"))
        text = str(key)
        if value:
            text += f"={value}"
        if effect:
            text += f":{effect}"
        if toleration.get("operator") == "Exists" and not value:
            text += " op=Exists" if key or effect else "op=Exists"
        if toleration.get("tolerationSeconds") is not None:
            text += f" for {toleration['tolerationSeconds']}s"
        w.write(0, text + "\n")


def event_interval(event: Obj, now: float) -> str:
    """`10s`, or `2m (x3 over 5m)` for an event seen several times."""
    first = since(event.get("firstTimestamp") or event.get("eventTime"), now)
    count = int(event.get("count") or 1)
    if count > 1:
        return f"{since(event.get('lastTimestamp'), now)} (x{count} over {first})"
    return first


def events_table(w: PrefixWriter, events: Sequence[Obj], *, now: float) -> None:
    """The `Events:` table at the end of a description (`Events:  <none>` when empty)."""
    if not events:
        w.write(0, "Events:\t<none>\n")
        return
    w.flush()
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    for event in sort_events(events):
        source = (event.get("source") or {}).get("component") or event.get("reportingComponent", "")
        message = str(event.get("message", "")).strip()
        field_path = (event.get("involvedObject") or {}).get("fieldPath")
        if field_path:
            message = f"{field_path}: {message}"
        w.write(
            1,
            f"{event.get('type', '')}\t{event.get('reason', '')}\t{event_interval(event, now)}"
            f"\t{source}\t{message}\n",
        )
