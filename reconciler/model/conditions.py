"""Reading status conditions: the one of a given type (`Ready`, `PodScheduled`, `Progressing`…).

Nodes, pods, replica sets and deployments all keep `status.conditions`, a list with at most one
entry per `type`. The kubelet, the scheduler, the controllers and the health checks find entries
here; writing them (transition times, ordering) belongs to whoever owns the status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.model.keys import Obj


def status_condition(status: Mapping[str, Any], kind: str) -> dict[str, Any] | None:
    """The condition of type `kind` in a status, if it has one."""
    for condition in status.get("conditions") or ():
        if condition.get("type") == kind:
            return condition  # type: ignore[no-any-return]
    return None


def condition_of(obj: Obj, kind: str) -> dict[str, Any] | None:
    """The object's status condition of type `kind`, if it has one."""
    return status_condition(obj.get("status") or {}, kind)
