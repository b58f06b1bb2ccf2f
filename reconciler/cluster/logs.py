"""Pod logs: what the simulated containers print, kept in the store so every process sees them.

The kubelet writes a program's start lines when a container starts and moves the current log
to "previous" when it restarts (`kubectl logs --previous`); request routing appends one line per
request the program logs. Each pod has one meta entry `logs/<namespace>/<pod>` holding, per
container, the newest `MAX_LINES` lines of the current and the previous instance, tagged with the
pod's uid so a new pod of the same name never shows an old pod's lines. The CLI reads them
through `logs_of`, which refuses as the API server does (waiting container, no previous one).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reconciler.api.server import Api
from reconciler.errors import BadRequest, UsageError
from reconciler.model.keys import Obj, ObjectKey
from reconciler.store.codec import decode, encode

MAX_LINES = 1000
"""Lines kept per container instance (the kubelet rotates container logs too)."""

Line = tuple[float, str]


def _entry(key: ObjectKey) -> str:
    return f"logs/{key.namespace}/{key.name}"


def _read(api: Api, pod: Obj) -> dict[str, Any]:
    text = api.store.get_meta(_entry(ObjectKey.of(pod)))
    data: dict[str, Any] = decode(text) if text else {}
    if data.get("uid") != pod["metadata"].get("uid"):
        return {"uid": pod["metadata"].get("uid"), "containers": {}}
    return data


def _write(api: Api, pod: Obj, data: dict[str, Any]) -> None:
    api.store.set_meta(_entry(ObjectKey.of(pod)), encode(data))


def append(api: Api, pod: Obj, container: str, lines: Iterable[str]) -> None:
    """Add lines to the current log of one container, stamped with the simulated time."""
    now = api.clock.now()
    new = [[now, line] for line in lines]
    if not new:
        return
    data = _read(api, pod)
    logs = data["containers"].setdefault(container, {"current": [], "previous": []})
    logs["current"] = (logs["current"] + new)[-MAX_LINES:]
    _write(api, pod, data)


def restart(api: Api, pod: Obj, container: str) -> None:
    """A new instance of the container starts: its current log becomes the previous one."""
    data = _read(api, pod)
    logs = data["containers"].get(container)
    if logs is None:
        return
    data["containers"][container] = {"current": [], "previous": logs["current"]}
    _write(api, pod, data)


def forget(api: Api, key: ObjectKey) -> None:
    """The pod is gone: drop its logs (an empty entry counts as none)."""
    if api.store.get_meta(_entry(key)):
        api.store.set_meta(_entry(key), "")


def logs_of(
    api: Api,
    pod_key: ObjectKey,
    *,
    container: str | None = None,
    tail: int | None = None,
    previous: bool = False,
) -> list[str]:
    """The log lines of one container of a pod, as `kubectl logs` prints them (oldest first).

    Raises NotFound for a missing pod, UsageError when a multi-container pod needs `container`,
    BadRequest (in the API server's words) for an unknown, waiting or never-restarted container."""
    pod = api.get(pod_key)
    name = _container_name(pod, container)
    status = next(
        (s for s in pod.get("status", {}).get("containerStatuses") or () if s["name"] == name),
        None,
    )
    data = _read(api, pod)
    logs = data["containers"].get(name, {"current": [], "previous": []})
    pod_name = pod_key.name
    if previous:
        if not logs["previous"] and not (status or {}).get("lastState"):
            raise BadRequest(
                f'previous terminated container "{name}" in pod "{pod_name}" not found'
            )
        lines: list[Line] = logs["previous"]
    else:
        waiting = ((status or {}).get("state") or {}).get("waiting")
        if status is None or (waiting is not None and not status.get("restartCount")):
            reason = (waiting or {}).get("reason", "ContainerCreating")
            raise BadRequest(
                f'container "{name}" in pod "{pod_name}" is waiting to start: {reason}'
            )
        lines = logs["current"]
    texts = [text for _, text in lines]
    if tail is not None and tail >= 0:
        texts = texts[-tail:] if tail else []
    return texts


def _container_name(pod: Obj, wanted: str | None) -> str:
    names: list[str] = [c["name"] for c in pod.get("spec", {}).get("containers") or ()]
    pod_name = pod["metadata"]["name"]
    if wanted is None:
        if len(names) == 1:
            return names[0]
        raise UsageError(
            f"a container name must be specified for pod {pod_name}, choose one of: "
            f"[{' '.join(names)}]"
        )
    if wanted not in names:
        raise BadRequest(f"container {wanted} is not valid for pod {pod_name}")
    return wanted
