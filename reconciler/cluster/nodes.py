"""The simulated nodes: how a Node object looks when the cluster creates it, and how to read one.

Bootstrap (cluster/bootstrap.py) calls `ensure_nodes` when a cluster is created; the scheduler and
the kubelets read nodes through `is_ready` and `is_schedulable`. Objects are
shaped as a kubeadm/kind worker node shows in `kubectl get node -o yaml`: labels, pod CIDR,
capacity/allocatable, the four kubelet conditions, addresses, nodeInfo, an (empty) image list.
This module only creates nodes; the kubelets own their status afterwards (heartbeats, images).

Address plan (deterministic, so a seeded run is the same every time):
- node-i has InternalIP 172.18.0.(i+1) (node-1 → 172.18.0.2; .1 is the docker bridge, as in kind),
  counting on through 172.18.0.0/16 for big clusters.
- node-i has pod CIDR 10.244.(i-1).0/24 (node-1 → 10.244.0.0/24, like kind's first node), the
  /24s of kubeadm's default cluster CIDR 10.244.0.0/16. That /16 holds 256 nodes; bigger clusters
  (benchmarks) go on with the second octet 245…255, then 112…243, staying inside 10.0.0.0/8 and
  clear of the service range 10.96.0.0/12.
"""

from __future__ import annotations

import ipaddress
import random

from reconciler.api.server import Api
from reconciler.clock import rfc3339
from reconciler.model.conditions import condition_of
from reconciler.model.keys import Obj, ObjectKey

KUBELET_VERSION = "v1.31.0"
CONTAINER_RUNTIME = "containerd://1.7.18"
OS_IMAGE = "Debian GNU/Linux 12 (bookworm)"
KERNEL_VERSION = "6.8.0-45-generic"

CPU = "2"
MEMORY_KI = 4030348
EVICTION_HARD_MEMORY_KI = 100 * 1024
"""kubelet's default `memory.available<100Mi` is held back from allocatable."""
EPHEMERAL_STORAGE_KI = 61202244
EVICTION_HARD_NODEFS = 0.10
"""kubelet's default `nodefs.available<10%` is held back from allocatable."""
MAX_PODS = "110"

_POD_CIDR_SECOND_OCTETS = (*range(244, 256), *range(112, 244))
_FIRST_INTERNAL_IP = ipaddress.IPv4Address("172.18.0.2")

CONDITIONS = (
    ("MemoryPressure", "False", "KubeletHasSufficientMemory",
     "kubelet has sufficient memory available"),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
)  # fmt: skip
"""The conditions a healthy kubelet posts, in the order it posts them."""


def node_name(index: int) -> str:
    """The name of the `index`-th node, counting from 1: `node-1`."""
    return f"node-{index}"


def pod_cidr(index: int) -> str:
    """The pod CIDR of the `index`-th node (from 1): node-1 → 10.244.0.0/24."""
    slot = index - 1
    second = _POD_CIDR_SECOND_OCTETS[slot // 256]
    return f"10.{second}.{slot % 256}.0/24"


def internal_ip(index: int) -> str:
    """The InternalIP of the `index`-th node (from 1): node-1 → 172.18.0.2."""
    return str(_FIRST_INTERNAL_IP + (index - 1))


def new_node(index: int, *, now: float, rng: random.Random) -> Obj:
    """A healthy, Ready worker node as a kubelet registers it; `rng` draws its machine ids."""
    name = node_name(index)
    stamp = rfc3339(now)
    cidr = pod_cidr(index)
    capacity = {
        "cpu": CPU,
        "ephemeral-storage": f"{EPHEMERAL_STORAGE_KI}Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": f"{MEMORY_KI}Ki",
        "pods": MAX_PODS,
    }
    allocatable = {
        **capacity,
        "ephemeral-storage": str(int(EPHEMERAL_STORAGE_KI * 1024 * (1 - EVICTION_HARD_NODEFS))),
        "memory": f"{MEMORY_KI - EVICTION_HARD_MEMORY_KI}Ki",
    }
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "beta.kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
            },
            "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": {"podCIDR": cidr, "podCIDRs": [cidr]},
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": internal_ip(index)},
                {"type": "Hostname", "address": name},
            ],
            "allocatable": allocatable,
            "capacity": capacity,
            "conditions": [
                {
                    "type": kind,
                    "status": status,
                    "lastHeartbeatTime": stamp,
                    "lastTransitionTime": stamp,
                    "reason": reason,
                    "message": message,
                }
                for kind, status, reason, message in CONDITIONS
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "images": [],
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": _uuid(rng),
                "containerRuntimeVersion": CONTAINER_RUNTIME,
                "kernelVersion": KERNEL_VERSION,
                "kubeletVersion": KUBELET_VERSION,
                "machineID": f"{rng.getrandbits(128):032x}",
                "operatingSystem": "linux",
                "osImage": OS_IMAGE,
                "systemUUID": _uuid(rng),
            },
        },
    }


def ensure_nodes(api: Api, count: int) -> list[Obj]:
    """Create node-1…node-`count` where missing (existing ones are left as they are)."""
    created = []
    for index in range(1, count + 1):
        if api.find(ObjectKey("Node", "", node_name(index))) is None:
            created.append(api.create(new_node(index, now=api.clock.now(), rng=api.rng)))
    return created


def is_ready(node: Obj) -> bool:
    """Ready condition True: the kubelet is up and posting status."""
    condition = condition_of(node, "Ready")
    return condition is not None and condition.get("status") == "True"


def is_schedulable(node: Obj) -> bool:
    """Ready and not cordoned (`kubectl cordon` sets spec.unschedulable)."""
    return is_ready(node) and not (node.get("spec") or {}).get("unschedulable")


def _uuid(rng: random.Random) -> str:
    text = f"{rng.getrandbits(128):032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
