"""Which Kubernetes API path names which kind: the read-only API's routes and discovery documents,
all read off the kinds registry (model/kinds.py), never a table of their own.

A path below `/api/v1` (the core group) or `/apis/GROUP/VERSION` is resolved by `resolve`:

    PLURAL                      every object of the kind (all namespaces for a namespaced kind)
    PLURAL/NAME                 one object of a cluster-scoped kind (`nodes/node-1`, `namespaces/x`)
    namespaces/NS/PLURAL        the objects of a namespaced kind in one namespace
    namespaces/NS/PLURAL/NAME   one of them

Anything else (an unknown group or plural, a subresource such as `/status`) is the API server's
404 "the server could not find the requested resource". `discovery` answers `/api/v1` and
`/apis/apps/v1` (APIResourceList), `versions` answers `/api`, `groups` answers `/apis`.
Pure: no HTTP framework, no store. Called by web/app.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.model.keys import ObjectKey
from reconciler.model.kinds import KINDS, KindInfo

VERBS = ("get", "list", "watch")
"""What this API serves: it is read-only (changes go through the dashboard's actions)."""


@dataclass(frozen=True)
class Target:
    """What a request path names: a kind, maybe a namespace, maybe one object."""

    info: KindInfo
    namespace: str | None
    """None: every namespace (or a cluster-scoped kind)."""
    name: str | None = None
    """None: a collection."""

    @property
    def key(self) -> ObjectKey:
        """The object's key (only for a path naming one object)."""
        return ObjectKey(self.info.kind, self.namespace or "", self.name or "")


def _by_plural(group_version: str) -> dict[str, KindInfo]:
    return {info.plural: info for info in KINDS if info.api_version == group_version}


def group_versions() -> list[str]:
    """Every apiVersion the registry holds, core first (`v1`, `apps/v1`)."""
    found = dict.fromkeys(info.api_version for info in KINDS)
    return sorted(found, key=lambda version: ("/" in version, version))


def resolve(group_version: str, segments: list[str]) -> Target | None:
    """The target of `/api/v1/<segments>` (group_version "v1") or `/apis/<gv>/<segments>`;
    None when the path names nothing the API serves."""
    kinds = _by_plural(group_version)
    parts = [segment for segment in segments if segment]
    if len(parts) in (3, 4) and parts[0] == "namespaces":
        info = kinds.get(parts[2])
        if info is None or not info.namespaced:
            return None
        return Target(info, parts[1], parts[3] if len(parts) == 4 else None)
    if len(parts) in (1, 2):
        info = kinds.get(parts[0])
        if info is None or (len(parts) == 2 and info.namespaced):
            return None
        return Target(info, None, parts[1] if len(parts) == 2 else None)
    return None


def collection_path(info: KindInfo, namespace: str | None = None) -> str:
    """The URL path of a kind's collection (`/apis/apps/v1/namespaces/default/replicasets`)."""
    prefix = "/api/v1" if not info.group else f"/apis/{info.api_version}"
    if namespace and info.namespaced:
        return f"{prefix}/namespaces/{namespace}/{info.plural}"
    return f"{prefix}/{info.plural}"


def versions() -> dict[str, Any]:
    """`GET /api`: the core group's versions."""
    return {"kind": "APIVersions", "versions": ["v1"]}


def groups() -> dict[str, Any]:
    """`GET /apis`: the named groups and their versions."""
    listed = []
    for group_version in group_versions():
        group, _, version = group_version.rpartition("/")
        if not group:
            continue
        entry = {"groupVersion": group_version, "version": version}
        listed.append({"name": group, "versions": [entry], "preferredVersion": entry})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": listed}


def discovery(group_version: str) -> dict[str, Any] | None:
    """`GET /api/v1` or `/apis/GROUP/VERSION`: the resources served there, or None."""
    kinds = _by_plural(group_version)
    if not kinds:
        return None
    resources = []
    for plural in sorted(kinds):
        info = kinds[plural]
        resource: dict[str, Any] = {
            "name": info.plural,
            "singularName": info.singular,
            "namespaced": info.namespaced,
            "kind": info.kind,
            "verbs": list(VERBS),
        }
        if info.short_names:
            resource["shortNames"] = list(info.short_names)
        if info.categories:
            resource["categories"] = list(info.categories)
        resources.append(resource)
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }
