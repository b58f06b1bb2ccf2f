"""`set image`: new images for a workload's containers, in the folder when it came from one.

As `kubectl set image deploy/kubia nodejs=luksa/kubia:v2` does, the containers (and init
containers) of the pod template named on the left get the image on the right (`*` names every
container); a name no container has is refused (`unable to find container named "x"`). Like
`scale` (`api/scale.py`), an object applied from a manifest is changed there: the `image:` value
of each container is rewritten in its file with a round-trip edit (comments and layout kept) and
the document applied, so the folder stays the truth and a GitOps daemon sees no drift; `live`,
or an object with no manifest, changes only the cluster (which the daemon then reverts or
reports as drift). A Deployment rolls its pods out to the new template; a ReplicationController
or ReplicaSet only uses it for the pods it creates from now on.

Called by `cli/set_image.py`; prints nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.api.apply import SOURCE
from reconciler.api.scale import apply_document, declaring_document
from reconciler.api.server import Api
from reconciler.errors import UsageError
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.kinds import kind_info
from reconciler.source.editor import read_document, set_value

POD_SPEC: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
}
"""Where each kind keeps the pod spec whose images `set image` changes."""
CONTAINER_LISTS = ("initContainers", "containers")
EVERY_CONTAINER = "*"


@dataclass(frozen=True)
class ImagesSet:
    """What `set image` did: whether anything changed, and the manifest it edited (None when
    only the cluster changed)."""

    key: ObjectKey
    changed: bool
    manifest: Path | None = None


def _pod_spec(obj: Obj, key: ObjectKey) -> dict[str, Any]:
    node: Any = obj
    for step in POD_SPEC[key.kind]:
        node = node.get(step) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def changes(pod_spec: Mapping[str, Any], images: Mapping[str, str]) -> list[tuple[str, int, str]]:
    """(container list, index, new image) for every container whose image must change;
    `unable to find container named "x"` when a name matches no container."""
    found: list[tuple[str, int, str]] = []
    for name, image in images.items():
        matched = False
        for field in CONTAINER_LISTS:
            for index, container in enumerate(pod_spec.get(field) or ()):
                if name not in (EVERY_CONTAINER, container.get("name")):
                    continue
                matched = True
                if container.get("image") != image:
                    found.append((field, index, image))
        if not matched:
            raise UsageError(f'unable to find container named "{name}"')
    return found


def set_images(
    api: Api, key: ObjectKey, images: Mapping[str, str], *, live: bool = False
) -> ImagesSet:
    """Give the named containers of `key`'s pod template their new images."""
    if key.kind not in POD_SPEC:
        raise UsageError(
            f"set image works on deployments, replicasets and replicationcontrollers, not "
            f"{kind_info(key.kind).plural}"
        )
    obj = api.get(key)
    if not changes(_pod_spec(obj, key), images):
        return ImagesSet(key, False)
    annotation = (obj["metadata"].get("annotations") or {}).get(SOURCE)
    if live or not annotation:
        with api.store.transaction():
            current = api.get(key)
            spec = _pod_spec(current, key)
            for field, index, image in changes(spec, images):
                spec[field][index]["image"] = image
            api.update(current)
        return ImagesSet(key, True)
    path, index = declaring_document(key, annotation)
    declared = _pod_spec(read_document(path, index), key)
    for field, position, image in changes(declared, images):
        keys: tuple[str | int, ...] = (*POD_SPEC[key.kind], field, position, "image")
        set_value(path, index, keys=keys, value=image)
    apply_document(api, key, path=path, index=index)
    return ImagesSet(key, True, path)
