"""Patch metadata: how each list and map of an object merges, as Kubernetes' struct tags say.

Strategic merge patch (what `kubectl apply` sends) does not treat every list alike: containers
merge by `name`, a container's ports by `containerPort`, a service's ports by `port`, env
entries by `name`, tolerations are replaced whole. Kubernetes reads this from the `patchStrategy`
and `patchMergeKey` tags of its Go types (k8s.io/api core/v1 and apps/v1 types.go); this module
is the same information as data, for the kinds reconciler supports. The three-way merge
(`model/merge.py`) and the diff (`model/diff.py`) read it; nothing here does I/O.

A field missing from the tables merges by its shape: maps key by key, lists replaced whole
(the `atomic` default of lists without a patch strategy).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    """How one field merges.

    `type` names the type of the field's value (or of its items for lists), so the walk can go
    deeper; `merge_key` makes a list of maps merge item by item; `merge_set` makes a list of
    strings merge as a set (`finalizers`); `retain_keys` drops, from the merged map (or from each
    merged item), the keys the manifest does not name (a Deployment's `strategy`, a volume's
    source), so switching `type: Recreate` does not leave a `rollingUpdate` behind.
    """

    type: str | None = None
    merge_key: str | None = None
    merge_set: bool = False
    retain_keys: bool = False


_POD_TEMPLATE = Field("PodTemplateSpec")

TYPES: dict[str, dict[str, Field]] = {
    "ObjectMeta": {
        "ownerReferences": Field(merge_key="uid"),
        "finalizers": Field(merge_set=True),
    },
    "PodTemplateSpec": {"metadata": Field("ObjectMeta"), "spec": Field("PodSpec")},
    "PodSpec": {
        "containers": Field("Container", merge_key="name"),
        "initContainers": Field("Container", merge_key="name"),
        "ephemeralContainers": Field("Container", merge_key="name"),
        "volumes": Field(merge_key="name", retain_keys=True),
        "imagePullSecrets": Field(merge_key="name"),
        "hostAliases": Field(merge_key="ip"),
        "topologySpreadConstraints": Field(merge_key="topologyKey"),
        "schedulingGates": Field(merge_key="name"),
        "resourceClaims": Field(merge_key="name", retain_keys=True),
    },
    "Container": {
        "ports": Field(merge_key="containerPort"),
        "env": Field(merge_key="name"),
        "volumeMounts": Field(merge_key="mountPath"),
        "volumeDevices": Field(merge_key="devicePath"),
    },
    "ReplicationControllerSpec": {"template": _POD_TEMPLATE},
    "ReplicaSetSpec": {"template": _POD_TEMPLATE},
    "DeploymentSpec": {"template": _POD_TEMPLATE, "strategy": Field(retain_keys=True)},
    "ServiceSpec": {"ports": Field(merge_key="port")},
}
"""Fields with a strategy other than "maps by key, lists whole", per Go type name."""

_SPEC_TYPES = {
    "Pod": "PodSpec",
    "ReplicationController": "ReplicationControllerSpec",
    "ReplicaSet": "ReplicaSetSpec",
    "Deployment": "DeploymentSpec",
    "Service": "ServiceSpec",
}


def root_fields(kind: str) -> dict[str, Field]:
    """The top-level fields of an object of `kind` that have a known type."""
    fields = {"metadata": Field("ObjectMeta")}
    spec = _SPEC_TYPES.get(kind)
    if spec is not None:
        fields["spec"] = Field(spec)
    return fields


def fields_of(type_name: str | None) -> dict[str, Field]:
    """The special fields of a type; empty for types that merge purely by shape."""
    return TYPES.get(type_name or "", {})
