"""The benchmarks' data: kubia-style ReplicationControllers and LoadBalancer Services as files.

Every scenario makes its own folder here (`generate`), so a run needs nothing but the repo. Apps
are numbered `kubia-00001`, `kubia-00002`…: one ReplicationController (3 replicas of
`luksa/kubia` by default, as in "Kubernetes in Action") and one Service selecting its pods. Files
hold one object each (`Layout.SPLIT`: `kubia-00001-rc.yaml`, `kubia-00001-svc.yaml`) or the pair
(`Layout.PAIRED`: `kubia-00001.yaml`, two documents).

`mistakes=N` plants N mistakes of the kinds in `MistakeKind`, spread evenly over the apps, and
returns where each one is (file and the lines a validator may rightly point at), so the validate
scenario can check that each was caught at its line. The cluster scenarios ask for
`node_ports=False` (`allocateLoadBalancerNodePorts: false`): the node-port range holds 2,768
ports, fewer than the thousands of services they apply, as on a real cluster.

Pure text generation: no reconciler import, so the data stays what a user would write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

IMAGE = "luksa/kubia"
CONTAINER_PORT = 8080


class Layout(StrEnum):
    """How objects are spread over files."""

    SPLIT = "split"
    """One object per file."""
    PAIRED = "paired"
    """An app's ReplicationController and Service in one file, two documents."""


class MistakeKind(StrEnum):
    """The mistakes a validator must catch, each at its line."""

    MISSPELT_FIELD = "misspelt field"
    """`replcias: 3` in an RC, `targetPrt: 8080` in a Service."""
    WRONG_TYPE = "wrong type"
    """`replicas: "three"` in an RC, `port: "eighty"` in a Service."""
    SELECTOR_MISMATCH = "selector does not match template labels"
    """An RC whose selector names another app than its pod template's labels."""
    BAD_DNS_NAME = "bad DNS name"
    """`name: Kubia_00001`: upper case and an underscore (not a DNS-1123 name)."""


KINDS = tuple(MistakeKind)


@dataclass(frozen=True)
class Mistake:
    """One planted mistake: where it is and the lines (1-based) a report may rightly name;
    `line` is the one the mistake was written on."""

    kind: MistakeKind
    path: Path
    line: int
    lines: frozenset[int]
    app: str


@dataclass(frozen=True)
class Dataset:
    """A generated folder and what it holds."""

    root: Path
    files: list[Path]
    apps: list[str]
    replicas: int
    services: bool
    mistakes: list[Mistake] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return len(self.apps) * (2 if self.services else 1)

    @property
    def pods(self) -> int:
        return len(self.apps) * self.replicas

    def rc_file(self, app: str) -> Path:
        """The file holding an app's ReplicationController."""
        return next(p for p in self.files if p.name.startswith(app) and "svc" not in p.name)


def app_name(index: int) -> str:
    """`kubia-00001` for index 1."""
    return f"kubia-{index:05d}"


class _Doc:
    """A document being written: its lines, with the 0-based index of each named line."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.marks: dict[str, int] = {}

    def add(self, text: str, mark: str | None = None) -> None:
        if mark is not None:
            self.marks[mark] = len(self.lines)
        self.lines.append(text)


def _rc(app: str, replicas: int, mistake: MistakeKind | None) -> _Doc:
    doc = _Doc()
    name = app.replace("kubia-", "Kubia_") if mistake is MistakeKind.BAD_DNS_NAME else app
    selector = f"{app}-other" if mistake is MistakeKind.SELECTOR_MISMATCH else app
    count = '"three"' if mistake is MistakeKind.WRONG_TYPE else str(replicas)
    field_name = "replcias" if mistake is MistakeKind.MISSPELT_FIELD else "replicas"
    doc.add("apiVersion: v1")
    doc.add("kind: ReplicationController")
    doc.add("metadata:")
    doc.add(f"  name: {name}", "name")
    doc.add("  labels:")
    doc.add(f"    app: {app}")
    doc.add("spec:")
    doc.add(f"  {field_name}: {count}", "replicas")
    doc.add("  selector:", "selector")
    doc.add(f"    app: {selector}", "selector-app")
    doc.add("  template:")
    doc.add("    metadata:")
    doc.add("      labels:", "labels")
    doc.add(f"        app: {app}", "labels-app")
    doc.add("    spec:")
    doc.add("      containers:")
    doc.add("      - name: kubia")
    doc.add(f"        image: {IMAGE}")
    doc.add("        ports:")
    doc.add(f"        - containerPort: {CONTAINER_PORT}")
    doc.add("          protocol: TCP")
    return doc


def _service(app: str, *, node_ports: bool, mistake: MistakeKind | None) -> _Doc:
    doc = _Doc()
    name = app.replace("kubia-", "Kubia_") if mistake is MistakeKind.BAD_DNS_NAME else app
    port = '"eighty"' if mistake is MistakeKind.WRONG_TYPE else "80"
    target = "targetPrt" if mistake is MistakeKind.MISSPELT_FIELD else "targetPort"
    doc.add("apiVersion: v1")
    doc.add("kind: Service")
    doc.add("metadata:")
    doc.add(f"  name: {name}", "name")
    doc.add("spec:")
    doc.add("  type: LoadBalancer")
    if not node_ports:
        doc.add("  allocateLoadBalancerNodePorts: false")
    doc.add("  selector:")
    doc.add(f"    app: {app}")
    doc.add("  ports:")
    doc.add(f"  - port: {port}", "port")
    doc.add(f"    {target}: {CONTAINER_PORT}", "target")
    return doc


_MISTAKE_LINES: dict[MistakeKind, dict[str, tuple[str, ...]]] = {
    # kind -> {document kind -> (the mark written on, other marks a report may name)}
    MistakeKind.MISSPELT_FIELD: {"rc": ("replicas",), "svc": ("target",)},
    MistakeKind.WRONG_TYPE: {"rc": ("replicas",), "svc": ("port",)},
    MistakeKind.SELECTOR_MISMATCH: {
        "rc": ("selector-app", "selector", "labels", "labels-app"),
    },
    MistakeKind.BAD_DNS_NAME: {"rc": ("name",), "svc": ("name",)},
}


def _planted(count: int, apps: int, *, services: bool) -> dict[tuple[int, str], MistakeKind]:
    """Which document of which app gets which mistake: evenly spread, kinds in turn, every
    other round of kinds in the Services where the kind allows it."""
    chosen: dict[tuple[int, str], MistakeKind] = {}
    if count > apps:
        raise ValueError(f"cannot plant {count} mistakes in {apps} apps (one per app at most)")
    for n in range(count):
        kind = KINDS[n % len(KINDS)]
        index = 1 + (n * apps) // count
        target = (
            "svc" if services and (n // len(KINDS)) % 2 and "svc" in _MISTAKE_LINES[kind] else "rc"
        )
        chosen[(index, target)] = kind
    return chosen


def generate(
    root: Path,
    *,
    apps: int,
    replicas: int = 3,
    layout: Layout = Layout.SPLIT,
    services: bool = True,
    node_ports: bool = True,
    mistakes: int = 0,
) -> Dataset:
    """Write `apps` kubia apps below `root` (created if missing) and describe what was written."""
    root.mkdir(parents=True, exist_ok=True)
    planted = _planted(mistakes, apps, services=services)
    files: list[Path] = []
    names: list[str] = []
    found: list[Mistake] = []
    for index in range(1, apps + 1):
        app = app_name(index)
        names.append(app)
        docs = [("rc", _rc(app, replicas, planted.get((index, "rc"))))]
        if services:
            mistake = planted.get((index, "svc"))
            docs.append(("svc", _service(app, node_ports=node_ports, mistake=mistake)))
        if layout is Layout.PAIRED:
            groups = [(root / f"{app}.yaml", docs)]
        else:
            groups = [(root / f"{app}-{what}.yaml", [(what, doc)]) for what, doc in docs]
        for path, group in groups:
            lines: list[str] = []
            for what, doc in group:
                if lines:
                    lines.append("---")
                kind = planted.get((index, what))
                if kind is not None:
                    marks = [doc.marks[m] + len(lines) + 1 for m in _MISTAKE_LINES[kind][what]]
                    found.append(Mistake(kind, path, marks[0], frozenset(marks), app))
                lines.extend(doc.lines)
            path.write_text("\n".join(lines) + "\n")
            files.append(path)
    return Dataset(root, files, names, replicas, services, found)


_REPLICAS = re.compile(r"^(  replicas: )\d+$", re.MULTILINE)


def set_replicas(path: Path, replicas: int) -> None:
    """Rewrite an RC file's `replicas:` in place, as an editor saving the file would."""
    text, count = _REPLICAS.subn(rf"\g<1>{replicas}", path.read_text(), count=1)
    if count != 1:
        raise ValueError(f"{path} has no replicas line")
    path.write_text(text)
