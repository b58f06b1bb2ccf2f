"""What a new cluster starts with: the system namespaces, its settings and its nodes.

Called when a cluster is opened and finds its store empty, so that `reconciler apply` works on a
machine that never ran `cluster create` (created with defaults on first use: 3 nodes, realistic
timing). `cluster create` saves its settings first, then opens the cluster, which lands here.
"""

from __future__ import annotations

from reconciler.api.server import Api
from reconciler.cluster.nodes import ensure_nodes
from reconciler.cluster.timing import save_settings, settings_of, stored_settings
from reconciler.model.keys import ObjectKey

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def is_bootstrapped(api: Api) -> bool:
    """True once the default namespace exists."""
    return api.find(ObjectKey("Namespace", "", "default")) is not None


def bootstrap(api: Api) -> None:
    """Create what every Kubernetes cluster has before anyone applies anything."""
    for name in SYSTEM_NAMESPACES:
        if api.find(ObjectKey("Namespace", "", name)) is None:
            api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    settings = settings_of(api)
    if stored_settings(api) is None:
        save_settings(api, settings)
    ensure_nodes(api, settings.nodes)
