"""The kinds registry: the one table that names every supported kind once.

The CLI resolves resource names (`po`, `pods`, `pod`) through it, the validator finds each kind's
schema through it, the api knows which kinds are namespaced, and the printers take their column
headers from it. Adding a kind means one row here plus its schema and controller.
Headers follow `kubectl get` (kubernetes/kubernetes pkg/printers/internalversion/printers.go).
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.errors import UsageError


@dataclass(frozen=True)
class KindInfo:
    """Everything the tool needs to know about one kind."""

    kind: str
    api_version: str
    plural: str
    short_names: tuple[str, ...]
    namespaced: bool
    schema: str | None
    """File name in schemas/ for kinds users may write; None for kinds only the cluster writes."""
    columns: tuple[str, ...]
    wide_columns: tuple[str, ...] = ()
    """Columns `-o wide` adds after the default ones."""

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def group(self) -> str:
        """API group ("" for the core group), as in `replicasets.apps`."""
        return self.api_version.rpartition("/")[0]

    @property
    def resource(self) -> str:
        """How kubectl names it in `kind/name` lines: `replicationcontroller`, `deployment.apps`."""
        return f"{self.singular}.{self.group}" if self.group else self.singular


KINDS: tuple[KindInfo, ...] = (
    KindInfo(
        "Namespace", "v1", "namespaces", ("ns",), False, "namespace.json",
        ("NAME", "STATUS", "AGE"),
    ),
    KindInfo(
        "Node", "v1", "nodes", ("no",), False, None,
        ("NAME", "STATUS", "ROLES", "AGE", "VERSION"),
        ("INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"),
    ),
    KindInfo(
        "Pod", "v1", "pods", ("po",), True, "pod.json",
        ("NAME", "READY", "STATUS", "RESTARTS", "AGE"),
        ("IP", "NODE", "NOMINATED NODE", "READINESS GATES"),
    ),
    KindInfo(
        "ReplicationController", "v1", "replicationcontrollers", ("rc",), True,
        "replicationcontroller.json",
        ("NAME", "DESIRED", "CURRENT", "READY", "AGE"),
        ("CONTAINERS", "IMAGES", "SELECTOR"),
    ),
    KindInfo(
        "Service", "v1", "services", ("svc",), True, "service.json",
        ("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"),
        ("SELECTOR",),
    ),
    KindInfo(
        "Endpoints", "v1", "endpoints", ("ep",), True, None,
        ("NAME", "ENDPOINTS", "AGE"),
    ),
    KindInfo(
        "Event", "v1", "events", ("ev",), True, None,
        ("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"),
    ),
    KindInfo(
        "ReplicaSet", "apps/v1", "replicasets", ("rs",), True, "replicaset.json",
        ("NAME", "DESIRED", "CURRENT", "READY", "AGE"),
        ("CONTAINERS", "IMAGES", "SELECTOR"),
    ),
    KindInfo(
        "Deployment", "apps/v1", "deployments", ("deploy",), True, "deployment.json",
        ("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"),
        ("CONTAINERS", "IMAGES", "SELECTOR"),
    ),
)

BY_KIND: dict[str, KindInfo] = {info.kind: info for info in KINDS}

_BY_NAME: dict[str, KindInfo] = {}
for _info in KINDS:
    for _name in (_info.kind.lower(), _info.plural, *_info.short_names):
        _BY_NAME[_name] = _info
        if _info.group:
            _BY_NAME[f"{_name}.{_info.group}"] = _info
            _BY_NAME[f"{_name}.{_info.api_version.replace('/', '.')}"] = _info


def kind_info(kind: str) -> KindInfo:
    """The row for an exact kind name (`ReplicationController`)."""
    try:
        return BY_KIND[kind]
    except KeyError:
        raise UsageError(f'no kind "{kind}" is registered') from None


def resolve(resource: str) -> KindInfo:
    """The row for any name kubectl accepts: singular, plural, short, or `name.group`.

    Case-insensitive, like kubectl; the error lists what is valid.
    """
    info = _BY_NAME.get(resource.lower())
    if info is None:
        known = ", ".join(sorted(i.plural for i in KINDS))
        raise UsageError(
            f'the server doesn\'t have a resource type "{resource}" (known types: {known})'
        )
    return info


def by_api_version(api_version: str, kind: str) -> KindInfo | None:
    """The row for a manifest's apiVersion and kind, or None when unsupported."""
    info = BY_KIND.get(kind)
    if info is None or info.api_version != api_version:
        return None
    return info
