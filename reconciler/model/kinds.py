"""The kinds registry: the one table that names every supported kind once.

The CLI resolves resource names (`po`, `pods`, `pod`) through it, the validator finds each kind's
schema through it, the api knows which kinds are namespaced, and the printers take their column
headers from it. Adding a kind means one row here plus its schema and controller.
Headers follow `kubectl get` (kubernetes/kubernetes pkg/printers/internalversion/printers.go).
"""

from __future__ import annotations

from typing import NamedTuple

from reconciler.errors import UsageError


class KindInfo(NamedTuple):
    """Everything the tool needs to know about one kind. A NamedTuple: nearly every command
    imports this table, and a frozen dataclass costs half a millisecond more to define."""

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
    wide_layout: tuple[str, ...] = ()
    """The whole `-o wide` header, for kinds where kubectl puts the wide-only columns between the
    default ones (events); empty means `columns + wide_columns`."""
    categories: tuple[str, ...] = ()
    """Names that stand for several kinds at once, as in `kubectl get all`."""

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

    def header(self, *, wide: bool = False) -> tuple[str, ...]:
        """The column headers `kubectl get` prints, with `-o wide` or without."""
        if not wide:
            return self.columns
        return self.wide_layout or (*self.columns, *self.wide_columns)


# fmt: off
KINDS: tuple[KindInfo, ...] = (
    KindInfo(
        kind="Namespace", api_version="v1", plural="namespaces", short_names=("ns",),
        namespaced=False, schema="namespace.json",
        columns=("NAME", "STATUS", "AGE"),
    ),
    KindInfo(
        kind="Node", api_version="v1", plural="nodes", short_names=("no",),
        namespaced=False, schema=None,
        columns=("NAME", "STATUS", "ROLES", "AGE", "VERSION"),
        wide_columns=("INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION",
                      "CONTAINER-RUNTIME"),
    ),
    KindInfo(
        kind="Pod", api_version="v1", plural="pods", short_names=("po",),
        namespaced=True, schema="pod.json",
        columns=("NAME", "READY", "STATUS", "RESTARTS", "AGE"),
        wide_columns=("IP", "NODE", "NOMINATED NODE", "READINESS GATES"),
        categories=("all",),
    ),
    KindInfo(
        kind="ReplicationController", api_version="v1", plural="replicationcontrollers",
        short_names=("rc",), namespaced=True, schema="replicationcontroller.json",
        columns=("NAME", "DESIRED", "CURRENT", "READY", "AGE"),
        wide_columns=("CONTAINERS", "IMAGES", "SELECTOR"),
        categories=("all",),
    ),
    KindInfo(
        kind="Service", api_version="v1", plural="services", short_names=("svc",),
        namespaced=True, schema="service.json",
        columns=("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"),
        wide_columns=("SELECTOR",),
        categories=("all",),
    ),
    KindInfo(
        kind="Endpoints", api_version="v1", plural="endpoints", short_names=("ep",),
        namespaced=True, schema=None,
        columns=("NAME", "ENDPOINTS", "AGE"),
    ),
    KindInfo(
        kind="Event", api_version="v1", plural="events", short_names=("ev",),
        namespaced=True, schema=None,
        columns=("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"),
        wide_columns=("SUBOBJECT", "SOURCE", "FIRST SEEN", "COUNT", "NAME"),
        wide_layout=("LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE",
                     "FIRST SEEN", "COUNT", "NAME"),
    ),
    KindInfo(
        kind="ReplicaSet", api_version="apps/v1", plural="replicasets", short_names=("rs",),
        namespaced=True, schema="replicaset.json",
        columns=("NAME", "DESIRED", "CURRENT", "READY", "AGE"),
        wide_columns=("CONTAINERS", "IMAGES", "SELECTOR"),
        categories=("all",),
    ),
    KindInfo(
        kind="Deployment", api_version="apps/v1", plural="deployments", short_names=("deploy",),
        namespaced=True, schema="deployment.json",
        columns=("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"),
        wide_columns=("CONTAINERS", "IMAGES", "SELECTOR"),
        categories=("all",),
    ),
)
# fmt: on

BY_KIND: dict[str, KindInfo] = {info.kind: info for info in KINDS}

_BY_NAME: dict[str, KindInfo] = {}
for _info in KINDS:
    for _name in (_info.kind.lower(), _info.plural, *_info.short_names):
        _BY_NAME[_name] = _info
        if _info.group:
            _BY_NAME[f"{_name}.{_info.group}"] = _info
            _BY_NAME[f"{_name}.{_info.api_version.rpartition('/')[2]}.{_info.group}"] = _info


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


def category(name: str) -> tuple[KindInfo, ...]:
    """The kinds a category name such as `all` stands for, in the order kubectl lists them (core
    group first, then by group and plural, as API discovery orders them); empty when `name` is no
    category."""
    members = [info for info in KINDS if name.lower() in info.categories]
    return tuple(sorted(members, key=lambda info: (info.group, info.plural)))


def by_api_version(api_version: str, kind: str) -> KindInfo | None:
    """The row for a manifest's apiVersion and kind, or None when unsupported."""
    info = BY_KIND.get(kind)
    if info is None or info.api_version != api_version:
        return None
    return info
