"""The rules a JSON Schema cannot state, per kind, worded as the API server words them.

`validate.py` calls `identity_problems` first (apiVersion and kind: unknown kinds, removed API
versions, kinds the cluster owns) and, for a kind it knows, `rule_problems`: object names
(DNS-1123 subdomains, DNS-1035 labels for Services, DNS-1123 labels for Namespaces), label
syntax, a workload's selector against its template's labels, the template's restartPolicy,
Deployment strategy limits and Service port rules. Each rule is ported from Kubernetes'
`pkg/apis/*/validation`; objects may be ill-shaped (the schema reports that), so every read is
defensive. Pure: no I/O, no positions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from reconciler.model import selectors
from reconciler.model.kinds import BY_KIND, KINDS, KindInfo
from reconciler.source import fielderrors
from reconciler.source.diagnostics import FieldProblem
from reconciler.source.document import FieldPath
from reconciler.source.names import (
    NameCheck,
    as_prefix,
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_label_value,
    is_port_name,
    is_qualified_name,
    label_problems,
    regex_error,
)
from reconciler.source.podspec import as_dict, dict_items, pod_spec_problems

REMOVED_VERSIONS = {"extensions/v1beta1": "1.16", "apps/v1beta1": "1.16", "apps/v1beta2": "1.16"}
"""Workload API versions Kubernetes no longer serves, and the release that removed them."""

WRITABLE = tuple(sorted(info.kind for info in KINDS if info.schema is not None))
"""Kinds a manifest may declare: those with a schema."""

_PERCENT = re.compile("[0-9]+%")


def identity_problems(obj: dict[str, Any]) -> tuple[KindInfo | None, list[FieldProblem]]:
    """The kind's registry row if apiVersion and kind name one users may write, else why not."""
    kind, version = obj.get("kind"), obj.get("apiVersion")
    if kind is None or kind == "":
        detail = "every manifest needs apiVersion and kind (e.g. apiVersion: v1, kind: Pod)"
        return None, [fielderrors.required(("kind",), detail)]
    if not isinstance(kind, str):
        return None, [fielderrors.invalid(("kind",), kind, "must be a string")]
    info = BY_KIND.get(kind)
    if info is None or info.schema is None:
        return None, [_unknown_kind(kind, version)]
    if version is None or version == "":
        detail = f"{kind} objects use apiVersion: {info.api_version}"
        return None, [fielderrors.required(("apiVersion",), detail)]
    if version != info.api_version:
        message = f'no matches for kind "{kind}" in version "{version}": '
        removed = REMOVED_VERSIONS.get(str(version))
        if removed is not None:
            message += f"{version} was removed in Kubernetes {removed}; "
        message += f"use apiVersion: {info.api_version}"
        return None, [FieldProblem(("apiVersion",), message)]
    return info, []


def _unknown_kind(kind: str, version: Any) -> FieldProblem:
    info = BY_KIND.get(kind)
    if info is not None:
        message = f'kind "{kind}" is written by the simulated cluster, not by manifests'
    else:
        message = f'no matches for kind "{kind}" in version "{version}"'
        hint = fielderrors.suggestion(kind, WRITABLE)
        if hint is not None:
            message += f', did you mean "{hint}"?'
    message += f" (kinds you can write: {', '.join(WRITABLE)})"
    return FieldProblem(("kind",), message)


def rule_problems(obj: dict[str, Any], info: KindInfo) -> list[FieldProblem]:
    """Everything the kind's rules find wrong with an object of a known kind."""
    check, spec_rules = _KIND_RULES[info.kind]
    problems = _metadata_problems(as_dict(obj.get("metadata")), info, check)
    problems.extend(spec_rules(as_dict(obj.get("spec"))))
    return problems


def _metadata_problems(
    meta: dict[str, Any], info: KindInfo, check: NameCheck
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    name, prefix = meta.get("name"), meta.get("generateName")
    if isinstance(prefix, str) and prefix:
        field = ("metadata", "generateName")
        problems.extend(fielderrors.invalid(field, prefix, m) for m in as_prefix(check)(prefix))
    if not name and not prefix:
        problems.append(
            fielderrors.required(("metadata", "name"), "name or generateName is required")
        )
    elif isinstance(name, str) and name:
        problems.extend(fielderrors.invalid(("metadata", "name"), name, m) for m in check(name))
    namespace = meta.get("namespace")
    if info.namespaced and isinstance(namespace, str) and namespace:
        field = ("metadata", "namespace")
        problems.extend(
            fielderrors.invalid(field, namespace, m) for m in is_dns1123_label(namespace)
        )
    problems.extend(label_problems(meta.get("labels"), ("metadata", "labels")))
    annotations = meta.get("annotations")
    problems.extend(label_problems(annotations, ("metadata", "annotations"), keys_only=True))
    return problems


# --- workloads ---------------------------------------------------------------------------------


def _pod(spec: dict[str, Any]) -> list[FieldProblem]:
    return pod_spec_problems(spec, ("spec",))


def _replication_controller(spec: dict[str, Any]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    selector = as_dict(spec.get("selector"))
    problems.extend(label_problems(selector, ("spec", "selector")))
    template = spec.get("template")
    if not isinstance(template, dict):
        return [*problems, fielderrors.required(("spec", "template"))]
    labels = as_dict(as_dict(template.get("metadata")).get("labels"))
    if not selector and not labels:  # the selector defaults to the template's labels
        problems.append(fielderrors.required(("spec", "selector")))
    elif selector and not selectors.from_map(selector).matches(labels):
        problems.append(_mismatch(labels))
    problems.extend(_template_problems(template, "ReplicationController"))
    return problems


def _replica_set(spec: dict[str, Any]) -> list[FieldProblem]:
    return _apps_workload(spec, "ReplicaSet")


def _deployment(spec: dict[str, Any]) -> list[FieldProblem]:
    return [*_apps_workload(spec, "Deployment"), *_strategy_problems(spec)]


def _apps_workload(spec: dict[str, Any], kind: str) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    selector = spec.get("selector")
    template = as_dict(spec.get("template"))
    if isinstance(selector, dict):
        problems.extend(_selector_problems(selector))
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            problems.append(
                fielderrors.invalid(
                    ("spec", "selector"), selector, "empty selector is invalid for deployment"
                )
            )
        elif not problems and _well_formed(selector):
            labels = as_dict(as_dict(template.get("metadata")).get("labels"))
            if not selectors.from_label_selector(selector).matches(labels):
                problems.append(_mismatch(labels))
    if template:
        problems.extend(_template_problems(template, kind))
    return problems


def _well_formed(selector: dict[str, Any]) -> bool:
    """Whether the selector can be evaluated (its shape errors are the schema's to report)."""
    expressions = selector.get("matchExpressions") or []
    if not isinstance(selector.get("matchLabels") or {}, dict) or not isinstance(expressions, list):
        return False
    return all(isinstance(expression, dict) for expression in expressions)


def _selector_problems(selector: dict[str, Any]) -> list[FieldProblem]:
    """`ValidateLabelSelector`: matchLabels syntax and each requirement's operator and values."""
    path: FieldPath = ("spec", "selector")
    problems = label_problems(selector.get("matchLabels"), (*path, "matchLabels"))
    for index, requirement in dict_items(selector.get("matchExpressions")):
        here = (*path, "matchExpressions", index)
        operator, values = requirement.get("operator"), requirement.get("values") or []
        if operator in ("In", "NotIn") and not values:
            detail = "must be specified when `operator` is 'In' or 'NotIn'"
            problems.append(fielderrors.required((*here, "values"), detail))
        elif operator in ("Exists", "DoesNotExist") and values:
            detail = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
            problems.append(fielderrors.forbidden((*here, "values"), detail))
        elif operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            problems.append(
                fielderrors.invalid((*here, "operator"), operator, "not a valid selector operator")
            )
        key = requirement.get("key")
        if isinstance(key, str):
            problems.extend(
                fielderrors.invalid((*here, "key"), key, m) for m in is_qualified_name(key)
            )
        else:
            problems.append(fielderrors.required((*here, "key")))
        for position, value in enumerate(values if isinstance(values, list) else []):
            if isinstance(value, str):
                field = (*here, "values", position)
                problems.extend(fielderrors.invalid(field, value, m) for m in is_label_value(value))
    return problems


def _mismatch(labels: dict[str, Any]) -> FieldProblem:
    field = ("spec", "template", "metadata", "labels")
    shown = fielderrors.render_labels(labels)
    message = (
        f"spec.template.metadata.labels: Invalid value: {shown}: "
        "`selector` does not match template `labels`"
    )
    return FieldProblem(field, message, at_key=not labels)


def _template_problems(template: dict[str, Any], kind: str) -> list[FieldProblem]:
    path: FieldPath = ("spec", "template")
    meta = as_dict(template.get("metadata"))
    problems = label_problems(meta.get("labels"), (*path, "metadata", "labels"))
    spec = template.get("spec")
    if not isinstance(spec, dict):
        return [*problems, fielderrors.required((*path, "spec", "containers"))]
    policy = spec.get("restartPolicy", "Always")
    if policy != "Always":
        problems.append(
            fielderrors.unsupported((*path, "spec", "restartPolicy"), policy, ["Always"])
        )
    if "activeDeadlineSeconds" in spec:
        detail = f"activeDeadlineSeconds in {kind} is not Supported"
        problems.append(fielderrors.forbidden((*path, "spec", "activeDeadlineSeconds"), detail))
    problems.extend(pod_spec_problems(spec, (*path, "spec")))
    return problems


def _strategy_problems(spec: dict[str, Any]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    strategy = as_dict(spec.get("strategy"))
    path: FieldPath = ("spec", "strategy", "rollingUpdate")
    rolling = strategy.get("rollingUpdate")
    if strategy.get("type") == "Recreate" and rolling is not None:
        detail = "may not be specified when strategy `type` is 'Recreate'"
        return [fielderrors.forbidden(path, detail)]
    rolling = as_dict(rolling)
    for name in ("maxSurge", "maxUnavailable"):
        value = rolling.get(name)
        if isinstance(value, str) and not _PERCENT.fullmatch(value):
            detail = regex_error(
                "a valid percent string must be a numeric string followed by an ending '%'",
                "[0-9]+%",
                "1%",
                "93%",
            )
            problems.append(fielderrors.invalid((*path, name), value, detail))
    unavailable = rolling.get("maxUnavailable")
    if unavailable in (0, "0%") and rolling.get("maxSurge") in (0, "0%"):
        detail = "may not be 0 when `maxSurge` is 0"
        problems.append(fielderrors.invalid((*path, "maxUnavailable"), unavailable, detail))
    if (
        isinstance(unavailable, str)
        and _PERCENT.fullmatch(unavailable)
        and int(unavailable[:-1]) > 100
    ):
        problems.append(
            fielderrors.invalid(
                (*path, "maxUnavailable"), unavailable, "must not be greater than 100%"
            )
        )
    deadline, ready = spec.get("progressDeadlineSeconds"), spec.get("minReadySeconds", 0)
    if isinstance(deadline, int) and isinstance(ready, int) and deadline <= ready:
        problems.append(
            fielderrors.invalid(
                ("spec", "progressDeadlineSeconds"),
                deadline,
                "must be greater than minReadySeconds",
            )
        )
    return problems


# --- services ----------------------------------------------------------------------------------


def _service(spec: dict[str, Any]) -> list[FieldProblem]:
    problems = label_problems(spec.get("selector"), ("spec", "selector"))
    kind = spec.get("type", "ClusterIP")
    ports = dict_items(spec.get("ports"))
    headless = spec.get("clusterIP") == "None"
    if not ports and not headless and kind != "ExternalName":
        problems.append(fielderrors.required(("spec", "ports")))
    names: set[str] = set()
    for index, port in ports:
        problems.extend(_service_port_problems(port, index, many=len(ports) > 1, names=names))
        if kind == "ClusterIP" and port.get("nodePort"):
            field: FieldPath = ("spec", "ports", index, "nodePort")
            problems.append(
                fielderrors.forbidden(field, "may not be used when `type` is 'ClusterIP'")
            )
    if kind == "ExternalName":
        external = spec.get("externalName")
        if not external:
            problems.append(fielderrors.required(("spec", "externalName")))
        elif isinstance(external, str):
            field = ("spec", "externalName")
            problems.extend(
                fielderrors.invalid(field, external, m) for m in is_dns1123_subdomain(external)
            )
    if spec.get("sessionAffinityConfig") and spec.get("sessionAffinity", "None") != "ClientIP":
        detail = "must not be set when session affinity is None"
        problems.append(fielderrors.forbidden(("spec", "sessionAffinityConfig"), detail))
    policy = spec.get("externalTrafficPolicy")
    if policy and kind not in ("NodePort", "LoadBalancer"):
        detail = "may only be set when `type` is 'NodePort' or 'LoadBalancer'"
        problems.append(fielderrors.invalid(("spec", "externalTrafficPolicy"), policy, detail))
    return problems


def _service_port_problems(
    port: dict[str, Any], index: int, *, many: bool, names: set[str]
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    path: FieldPath = ("spec", "ports", index)
    name = port.get("name")
    if isinstance(name, str) and name:
        problems.extend(
            fielderrors.invalid((*path, "name"), name, m) for m in is_dns1123_label(name)
        )
        if name in names:
            problems.append(fielderrors.duplicate((*path, "name"), name))
        names.add(name)
    elif many:
        problems.append(fielderrors.required((*path, "name")))
    target = port.get("targetPort")
    if isinstance(target, str) and target:
        problems.extend(
            fielderrors.invalid((*path, "targetPort"), target, m) for m in is_port_name(target)
        )
    return problems


def _namespace(spec: dict[str, Any]) -> list[FieldProblem]:
    return []


_KIND_RULES: dict[str, tuple[NameCheck, Callable[[dict[str, Any]], list[FieldProblem]]]] = {
    "Namespace": (is_dns1123_label, _namespace),
    "Pod": (is_dns1123_subdomain, _pod),
    "ReplicationController": (is_dns1123_subdomain, _replication_controller),
    "ReplicaSet": (is_dns1123_subdomain, _replica_set),
    "Deployment": (is_dns1123_subdomain, _deployment),
    "Service": (is_dns1035_label, _service),
}
"""Per kind: the name rule (`ValidateXName`) and the spec rules, as Kubernetes pairs them."""
