"""Pod IP addresses: each node hands out the addresses of its own pod CIDR.

As the host-local IPAM plugin does on a kind node: `.1` of the node's /24 is the bridge (the
gateway, and where kubelet probes come from), pods get `.2` upwards, and a node continues after
the last address it gave rather than reusing a freed one at once. Every address is an allocation
entry in the store (`api/allocation.Allocator`, one pool per node), so it is unique, survives
restarts and takes part in the kubelet's transaction. Only the kubelet calls this module.
"""

from __future__ import annotations

import functools
import ipaddress

from reconciler.api.allocation import Allocator, Pool
from reconciler.api.server import Api
from reconciler.errors import Invalid
from reconciler.model.keys import Obj

_LAST = "ipam/{node}/last"
"""Meta entry: the last address a node handed out (where the next search starts)."""


def _pool(node: Obj) -> Pool:
    return _pool_of(node["metadata"]["name"], node["spec"]["podCIDR"])


@functools.lru_cache(maxsize=8192)
def _pool_of(node_name: str, pod_cidr: str) -> Pool:
    # Parsed once per node and range: parsing a network cost more than the allocation itself.
    network = ipaddress.IPv4Network(pod_cidr)
    first = int(network.network_address) + 2
    return Pool(f"podIP/{node_name}", first, int(network.broadcast_address) - 1, True)


def gateway(node: Obj) -> str:
    """The node's bridge address in its pod network (`10.244.1.1`)."""
    network = ipaddress.IPv4Network(node["spec"]["podCIDR"])
    return str(network.network_address + 1)


def allocate_pod_ip(api: Api, node: Obj, owner: str) -> str:
    """A free address of the node's pod CIDR for `owner` (a pod key), the next after the last
    one handed out; Invalid when the node's range is full."""
    pool = _pool(node)
    allocator = Allocator(api.store, pool, api.rng)
    last_key = _LAST.format(node=node["metadata"]["name"])
    last = api.store.get_meta(last_key)
    start = pool.parse(last) + 1 if last else pool.first
    size = pool.last - pool.first + 1
    for step in range(size):
        value = pool.first + (start - pool.first + step) % size
        try:
            address = allocator.allocate(owner, pool.render(value))
        except Invalid:  # taken: try the next one
            continue
        api.store.set_meta(last_key, address)
        return address
    raise Invalid(
        f"failed to allocate for range 0: no IP addresses available in range set: "
        f"{pool.render(pool.first)}-{pool.render(pool.last)}"
    )


def release_pod_ip(api: Api, node_name: str, address: str) -> None:
    """Give a pod's address back to its node's range."""
    # Releasing needs only the pool's name: the node (and its CIDR) may be gone already.
    pool = Pool(f"podIP/{node_name}", 0, 0, True)
    Allocator(api.store, pool, api.rng).release(address)
