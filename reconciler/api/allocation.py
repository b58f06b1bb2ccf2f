"""Allocators for values that must be unique cluster-wide: service IPs, node ports, LB IPs.

Each allocated value is a meta entry in the store (`alloc/<pool>/<value>` → owner), so allocation
takes part in the same transaction as the object that holds it, costs O(1) however many services
exist, and survives restarts. A pool found full is marked so (`alloc-full/<pool>`) until a value
is released: thousands of LoadBalancer services share 55 addresses, and each one left pending
would otherwise probe and scan the whole pool again. The api uses it for cluster IPs and node
ports (as the API server does); the service controller for load-balancer IPs (as a cloud
controller does).
"""

from __future__ import annotations

import contextlib
import ipaddress
import random
from dataclasses import dataclass

from reconciler.errors import Invalid
from reconciler.store.base import Store


@dataclass(frozen=True)
class Pool:
    """A named range of values: `first` to `last` inclusive, rendered by `render`."""

    name: str
    first: int
    last: int
    is_ip: bool

    def render(self, value: int) -> str:
        """The value as text: `10.96.0.12`, `30080`. Dotted quads are formatted here: through
        ipaddress it cost as much as the rest of an allocation, and a full pool renders every
        value of it on each attempt (thousands of LoadBalancer services share 55 addresses)."""
        if not self.is_ip:
            return str(value)
        return f"{value >> 24}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"

    def parse(self, text: str | int) -> int:
        """The value of its text. A dotted quad in its usual form is read here, for the reason
        `render` gives (each pod's address is parsed twice as it is allocated); ipaddress reads
        and refuses the rest."""
        if not self.is_ip:
            return int(text)
        if isinstance(text, str):
            with contextlib.suppress(ValueError):
                a, b, c, d = map(int, text.split("."))
                value = a << 24 | b << 16 | c << 8 | d
                if min(a, b, c, d) >= 0 and max(a, b, c, d) <= 255 and self.render(value) == text:
                    return value
        return int(ipaddress.IPv4Address(text))

    def __contains__(self, value: int) -> bool:
        return self.first <= value <= self.last


def _net(cidr: str, name: str, *, skip: int = 1) -> Pool:
    network = ipaddress.IPv4Network(cidr)
    return Pool(name, int(network.network_address) + skip, int(network.broadcast_address) - 1, True)


CLUSTER_IPS = _net("10.96.0.0/12", "clusterIP", skip=11)
"""kubeadm's service subnet; .1 is the `kubernetes` service and .10 is DNS, so start past them."""
NODE_PORTS = Pool("nodePort", 30000, 32767, False)
LOAD_BALANCER_IPS = _net("172.18.255.0/24", "loadBalancerIP", skip=200)
"""Like kind + MetalLB on a laptop: external IPs from the top of the docker network."""


class Allocator:
    """Hands out unique values from one pool, at random as Kubernetes does."""

    def __init__(self, store: Store, pool: Pool, rng: random.Random) -> None:
        self._store = store
        self._pool = pool
        self._rng = rng
        self._prefix = f"alloc/{pool.name}/"
        self._full = f"alloc-full/{pool.name}"

    def _entry(self, value: int) -> str:
        return self._prefix + self._pool.render(value)

    def allocate(
        self, owner: str, wanted: str | int | None = None, *, dry_run: bool = False
    ) -> str:
        """A free value for `owner`; `wanted` asks for one in particular (refused when taken or
        out of range, with the API server's wording). A dry run picks without reserving."""
        pool = self._pool
        if wanted is not None:
            value = pool.parse(wanted)
            holder = self._store.get_meta(self._entry(value))
            if value not in pool:
                raise Invalid(
                    f"spec.{pool.name}: Invalid value: {wanted}: provided {pool.name} is not in "
                    f"the valid range ({pool.render(pool.first)}-{pool.render(pool.last)})"
                )
            if holder not in (None, "", owner):
                raise Invalid(
                    f"spec.{pool.name}: Invalid value: {wanted}: provided {pool.name} is already "
                    "allocated"
                )
        elif self._store.get_meta(self._full):
            raise self._exhausted()
        else:
            for _ in range(64):
                value = self._rng.randint(pool.first, pool.last)
                if not self._store.get_meta(self._entry(value)):
                    break
            else:  # nearly full: the first free value, from one read of those held
                held = self._store.meta_items(self._prefix)
                value = next(
                    (v for v in range(pool.first, pool.last + 1) if self._entry(v) not in held),
                    -1,
                )
                if value < 0:
                    self._store.set_meta(self._full, "true")
                    raise self._exhausted()
        if not dry_run:
            self._store.set_meta(self._entry(value), owner)
        return pool.render(value)

    def release(self, value: str | int) -> None:
        """Give a value back to the pool (an empty meta entry counts as free)."""
        self._store.set_meta(self._entry(self._pool.parse(value)), "")
        if self._store.get_meta(self._full):
            self._store.set_meta(self._full, "")

    def _exhausted(self) -> Invalid:
        return Invalid(f"range of valid {self._pool.name} values is full")
