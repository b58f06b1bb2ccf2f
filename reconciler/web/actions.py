"""What the dashboard's buttons do, through the same library calls as the CLI's commands.

- `delete`: `reconciler delete TYPE NAME` (api.delete: a pod on a node terminates gracefully;
  its controller replaces it);
- `stop_node` / `start_node`: `reconciler cluster node stop|start` (cluster/node_failure.py);
- `scale`: `reconciler scale` (api/scale.py: the manifest the object came from is edited and
  applied, so a GitOps daemon sees no drift; `live` changes only the cluster);
- `send_requests`: `reconciler curl TARGET -c N` (cluster/network.py), with a tally of which
  pods answered.

Each takes the request's JSON body as a mapping, checks it (a `BadRequest` in one line), calls
the library and returns a JSON-ready answer. The advancing thread lets the cluster act on the
change at once. Framework-free; called by web/app.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from reconciler.api.scale import scale as scale_object
from reconciler.api.server import Api
from reconciler.cluster import node_failure
from reconciler.cluster.network import request
from reconciler.errors import BadRequest, UsageError
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.kinds import resolve

MAX_REQUESTS = 1000
"""More requests than a page can show in one go is a mistake, not a test."""


def _text(body: Mapping[str, Any], name: str, *, default: str | None = None) -> str:
    value = body.get(name, default)
    if not isinstance(value, str) or not value:
        raise BadRequest(f'"{name}" is required and must be a non-empty string')
    return value


def _count(body: Mapping[str, Any], name: str, *, low: int, high: int) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f'"{name}" must be a whole number from {low} to {high}')
    return value


def target_key(body: Mapping[str, Any]) -> ObjectKey:
    """The object a body names: `kind` (any name kubectl accepts: pod, rc, deployment),
    `name`, and `namespace` (default "default") for namespaced kinds."""
    try:
        info = resolve(_text(body, "kind"))
    except UsageError as error:
        raise BadRequest(str(error)) from None
    namespace = _text(body, "namespace", default="default") if info.namespaced else ""
    return ObjectKey(info.kind, namespace, _text(body, "name"))


def delete(api: Api, body: Mapping[str, Any]) -> Obj:
    """Delete an object as `reconciler delete` does; returns what the api answered (a pod that
    is terminating, or the object's last state)."""
    return api.delete(target_key(body))


def stop_node(api: Api, name: str) -> Obj:
    """Stop a node's kubelet; it goes NotReady and its pods are evicted."""
    return node_failure.stop_node(api, name)


def start_node(api: Api, name: str) -> Obj:
    """Start a stopped node's kubelet again."""
    return node_failure.start_node(api, name)


def scale(api: Api, body: Mapping[str, Any]) -> dict[str, Any]:
    """Set a workload's replicas, in its manifest when it came from one (unless `live`)."""
    key = target_key(body)
    replicas = _count(body, "replicas", low=0, high=10_000)
    live = body.get("live", False) is True
    done = scale_object(api, key, replicas=replicas, live=live)
    return {
        "kind": key.kind,
        "namespace": key.namespace,
        "name": key.name,
        "replicas": done.replicas,
        "manifest": str(done.manifest) if done.manifest is not None else None,
    }


def send_requests(api: Api, body: Mapping[str, Any]) -> dict[str, Any]:
    """Send `count` requests to `target` (`svc/NAME[:PORT]` or an address, as `curl` takes) and
    tell which pods answered how often."""
    target = _text(body, "target")
    count = _count(body, "count", low=1, high=MAX_REQUESTS)
    namespace = _text(body, "namespace", default="default")
    replies = request(api, target, count=count, namespace=namespace)
    answered = Counter(reply.pod for reply in replies if reply.pod is not None)
    return {
        "target": target,
        "replies": [
            {"status": r.status, "body": r.body, "pod": r.pod, "exitCode": r.exit_code}
            for r in replies
        ],
        "answeredBy": dict(sorted(answered.items())),
        "failed": sum(1 for reply in replies if reply.status is None),
    }
