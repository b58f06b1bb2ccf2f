"""Which control loops make up the simulated cluster.

The one list the manager is built from: adding a controller to the cluster means adding it here.
"""

from __future__ import annotations

from reconciler.api.server import Api
from reconciler.cluster.controllers.deployment import DeploymentController
from reconciler.cluster.controllers.endpoints import EndpointsController
from reconciler.cluster.controllers.node_lifecycle import NodeLifecycle
from reconciler.cluster.controllers.replication import replication_controllers
from reconciler.cluster.controllers.service import ServiceController
from reconciler.cluster.kubelet import Kubelet
from reconciler.cluster.reconcile import Controller
from reconciler.cluster.scheduler import Scheduler


def controllers(api: Api) -> list[Controller]:
    """Every controller of the cluster, bound to one api."""
    return [
        *replication_controllers(api),
        DeploymentController(api),
        Scheduler(api),
        Kubelet(api),
        NodeLifecycle(api),
        ServiceController(api),
        EndpointsController(api),
    ]
