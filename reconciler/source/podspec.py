"""Rules for pod specs (of Pods and of workload templates) that a JSON Schema cannot state.

Ported from `ValidatePodSpec` in Kubernetes' core validation, for the fields users write:
container and volume names (DNS-1123 labels, unique), port names (IANA service names, unique
per container), volume mounts that name a volume of the pod, probes with exactly one handler,
requests within limits, node selector labels. Called by `rules.py`; runs on objects whose shape
may be wrong (the schema reports that), so it reads defensively and only judges what it can.
"""

from __future__ import annotations

from typing import Any

from reconciler.errors import Invalid
from reconciler.model.quantity import parse_quantity
from reconciler.source import fielderrors
from reconciler.source.diagnostics import FieldProblem
from reconciler.source.document import FieldPath
from reconciler.source.names import is_dns1123_label, is_port_name, label_problems

HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


def as_dict(value: Any) -> dict[str, Any]:
    """The value if it is a mapping, else an empty one (the schema reports the wrong type)."""
    return value if isinstance(value, dict) else {}


def dict_items(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """(index, item) for each mapping item of a list; anything else yields nothing."""
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def pod_spec_problems(spec: Any, path: FieldPath) -> list[FieldProblem]:
    """Everything wrong with one pod spec found at `path`."""
    spec = as_dict(spec)
    problems: list[FieldProblem] = []
    volumes = _volume_names(spec, path, problems)
    seen: set[str] = set()
    for group in ("initContainers", "containers"):
        for index, container in dict_items(spec.get(group)):
            here = (*path, group, index)
            problems.extend(_container_problems(container, here, volumes))
            name = container.get("name")
            if isinstance(name, str) and name:
                if name in seen:
                    problems.append(fielderrors.duplicate((*here, "name"), name))
                seen.add(name)
    problems.extend(label_problems(spec.get("nodeSelector"), (*path, "nodeSelector")))
    return problems


def _volume_names(spec: dict[str, Any], path: FieldPath, problems: list[FieldProblem]) -> set[str]:
    names: set[str] = set()
    for index, volume in dict_items(spec.get("volumes")):
        name = volume.get("name")
        if not isinstance(name, str) or not name:
            continue
        field = (*path, "volumes", index, "name")
        problems.extend(fielderrors.invalid(field, name, m) for m in is_dns1123_label(name))
        if name in names:
            problems.append(fielderrors.duplicate(field, name))
        names.add(name)
    return names


def _container_problems(
    container: dict[str, Any], path: FieldPath, volumes: set[str]
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    name = container.get("name")
    if isinstance(name, str) and name:
        field = (*path, "name")
        problems.extend(fielderrors.invalid(field, name, m) for m in is_dns1123_label(name))
    port_names: set[str] = set()
    for index, port in dict_items(container.get("ports")):
        port_name = port.get("name")
        if isinstance(port_name, str) and port_name:
            field = (*path, "ports", index, "name")
            problems.extend(
                fielderrors.invalid(field, port_name, m) for m in is_port_name(port_name)
            )
            if port_name in port_names:
                problems.append(fielderrors.duplicate(field, port_name))
            port_names.add(port_name)
    for index, mount in dict_items(container.get("volumeMounts")):
        volume = mount.get("name")
        if isinstance(volume, str) and volume and volume not in volumes:
            problems.append(fielderrors.not_found((*path, "volumeMounts", index, "name"), volume))
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        if isinstance(container.get(probe), dict):
            problems.extend(_probe_problems(container[probe], (*path, probe), probe))
    problems.extend(_resource_problems(as_dict(container.get("resources")), (*path, "resources")))
    return problems


def _probe_problems(probe: dict[str, Any], path: FieldPath, kind: str) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    handlers = [handler for handler in HANDLERS if handler in probe]
    if not handlers:
        problems.append(fielderrors.required(path, "must specify a handler type"))
    for extra in handlers[1:]:
        problems.append(
            fielderrors.forbidden((*path, extra), "may not specify more than 1 handler type")
        )
    threshold = probe.get("successThreshold")
    if kind != "readinessProbe" and isinstance(threshold, int) and threshold not in (0, 1):
        problems.append(fielderrors.invalid((*path, "successThreshold"), threshold, "must be 1"))
    for handler in ("httpGet", "tcpSocket"):
        port = as_dict(probe.get(handler)).get("port")
        if isinstance(port, str) and port:
            field = (*path, handler, "port")
            problems.extend(fielderrors.invalid(field, port, m) for m in is_port_name(port))
    return problems


def _resource_problems(resources: dict[str, Any], path: FieldPath) -> list[FieldProblem]:
    """A request above its limit is refused by the API server."""
    limits, requests = as_dict(resources.get("limits")), as_dict(resources.get("requests"))
    problems: list[FieldProblem] = []
    for resource, request in requests.items():
        if resource not in limits:
            continue
        try:
            over = parse_quantity(request) > parse_quantity(limits[resource])
        except (Invalid, TypeError, ValueError):
            continue  # the schema reports quantities that do not parse
        if over:
            problems.append(
                fielderrors.invalid(
                    (*path, "requests", resource),
                    request,
                    f"must be less than or equal to {resource} limit of {limits[resource]}",
                )
            )
    return problems
