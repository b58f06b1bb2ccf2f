"""Allocation pools: unique values per pool, rendered as Kubernetes shows them."""

from __future__ import annotations

import ipaddress
import random
from pathlib import Path

import pytest

from reconciler.api.allocation import CLUSTER_IPS, LOAD_BALANCER_IPS, NODE_PORTS, Allocator
from reconciler.errors import Invalid
from reconciler.store.memory import MemoryStore
from reconciler.store.sqlite import SqliteStore


def test_an_address_pool_renders_values_as_dotted_quads() -> None:
    rng = random.Random(5)
    values = [0, 2**32 - 1, CLUSTER_IPS.first, CLUSTER_IPS.last]
    values += [rng.randint(0, 2**32 - 1) for _ in range(1_000)]
    for value in values:
        assert CLUSTER_IPS.render(value) == str(ipaddress.IPv4Address(value))
        assert CLUSTER_IPS.parse(CLUSTER_IPS.render(value)) == value
    assert NODE_PORTS.render(30080) == "30080"


@pytest.mark.parametrize(
    "text",
    [
        "256.0.0.1",
        "10.96.0.256",
        "010.96.0.1",
        "1_0.96.0.1",
        " 10.96.0.1",
        "-1.2.3.4",
        "10.96.0",
        "10.96.0.1.2",
        "a.b.c.d",
        "",
    ],
)
def test_an_address_pool_refuses_what_ipaddress_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        ipaddress.IPv4Address(text)
    with pytest.raises(ValueError):
        CLUSTER_IPS.parse(text)


def test_a_full_pool_hands_out_every_value_once_then_refuses() -> None:
    store = MemoryStore()
    allocator = Allocator(store, LOAD_BALANCER_IPS, random.Random(3))
    size = LOAD_BALANCER_IPS.last - LOAD_BALANCER_IPS.first + 1
    handed = {allocator.allocate(f"Service/default/lb-{i}") for i in range(size)}
    expected = {
        LOAD_BALANCER_IPS.render(v)
        for v in range(LOAD_BALANCER_IPS.first, size + LOAD_BALANCER_IPS.first)
    }
    assert handed == expected
    with pytest.raises(Invalid, match="range of valid loadBalancerIP values is full"):
        allocator.allocate("Service/default/one-too-many")
    allocator.release(sorted(handed)[0])
    assert allocator.allocate("Service/default/one-too-many") == sorted(handed)[0]


def test_a_pool_found_full_stays_full_until_a_value_is_released(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "state.db")
    allocator = Allocator(store, LOAD_BALANCER_IPS, random.Random(3))
    size = LOAD_BALANCER_IPS.last - LOAD_BALANCER_IPS.first + 1
    handed = [allocator.allocate(f"Service/default/lb-{i}") for i in range(size)]
    for attempt in range(3):
        with pytest.raises(Invalid, match="range of valid loadBalancerIP values is full"):
            allocator.allocate(f"Service/default/pending-{attempt}")
    store.close()

    reopened = SqliteStore(tmp_path / "state.db")
    again = Allocator(reopened, LOAD_BALANCER_IPS, random.Random(4))
    with pytest.raises(Invalid, match="is full"):
        again.allocate("Service/default/pending-0")
    again.release(handed[7])
    assert again.allocate("Service/default/pending-0") == handed[7]
    with pytest.raises(Invalid, match="is full"):
        again.allocate("Service/default/pending-1")
