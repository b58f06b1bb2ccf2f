"""A new cluster gets its settings and its nodes, shaped as a kubelet registers them."""

from __future__ import annotations

import pytest

from reconciler.clock import VirtualClock
from reconciler.cluster.nodes import internal_ip, is_ready, is_schedulable, pod_cidr
from reconciler.cluster.timing import (
    FAST,
    INSTANT,
    REALISTIC,
    ClusterSettings,
    TimingName,
    parse_timing_name,
    save_settings,
    settings_of,
    stored_settings,
    timing_of,
)
from reconciler.errors import UsageError
from reconciler.model.keys import ObjectKey
from reconciler.runtime.session import open_cluster
from reconciler.store.memory import MemoryStore


def test_a_new_cluster_has_three_ready_nodes_and_realistic_timing() -> None:
    store = MemoryStore()
    with open_cluster(store, clock=VirtualClock(), seed=1) as cluster:
        nodes = cluster.api.list("Node")
        assert [n["metadata"]["name"] for n in nodes] == ["node-1", "node-2", "node-3"]
        assert all(is_ready(n) and is_schedulable(n) for n in nodes)
        assert stored_settings(cluster.store) == ClusterSettings(3, TimingName.REALISTIC)
        assert timing_of(cluster.api) is REALISTIC


def test_saved_settings_decide_node_count_and_timing() -> None:
    store = MemoryStore()
    save_settings(store, ClusterSettings(nodes=5, timing=TimingName.FAST))
    with open_cluster(store, clock=VirtualClock(), seed=1) as cluster:
        assert len(cluster.api.list("Node")) == 5
        assert settings_of(cluster.store).timing is TimingName.FAST
        assert timing_of(cluster.store) is FAST


def test_a_node_looks_like_a_registered_kubelet_node() -> None:
    with open_cluster(MemoryStore(), clock=VirtualClock(), seed=1) as cluster:
        node = cluster.api.get(ObjectKey("Node", "", "node-2"))
    assert node["metadata"]["labels"]["kubernetes.io/hostname"] == "node-2"
    assert node["metadata"]["labels"]["kubernetes.io/os"] == "linux"
    assert node["spec"]["podCIDR"] == "10.244.1.0/24"
    assert node["spec"]["podCIDRs"] == ["10.244.1.0/24"]
    status = node["status"]
    assert {"type": "InternalIP", "address": "172.18.0.3"} in status["addresses"]
    assert {"type": "Hostname", "address": "node-2"} in status["addresses"]
    assert status["capacity"]["pods"] == "110" and status["allocatable"]["cpu"] == "2"
    assert status["capacity"]["memory"].endswith("Ki")
    assert [c["type"] for c in status["conditions"]] == [
        "MemoryPressure",
        "DiskPressure",
        "PIDPressure",
        "Ready",
    ]
    ready = status["conditions"][-1]
    assert (ready["reason"], ready["message"]) == (
        "KubeletReady",
        "kubelet is posting ready status",
    )
    assert status["nodeInfo"]["kubeletVersion"] == "v1.31.0"
    assert status["nodeInfo"]["containerRuntimeVersion"].startswith("containerd://")
    assert status["images"] == []


def test_pod_cidrs_and_addresses_never_collide_even_in_big_clusters() -> None:
    assert pod_cidr(1) == "10.244.0.0/24"
    assert pod_cidr(256) == "10.244.255.0/24"
    assert pod_cidr(257) == "10.245.0.0/24"
    cidrs = {pod_cidr(i) for i in range(1, 5001)}
    assert len(cidrs) == 5000
    assert not any(c.startswith(("10.96.", "10.100.", "10.111.")) for c in cidrs)
    assert internal_ip(1) == "172.18.0.2"
    assert len({internal_ip(i) for i in range(1, 5001)}) == 5000


def test_instant_timing_takes_no_time_for_what_users_wait_on() -> None:
    assert INSTANT.image_pull(100_000_000) == 0
    assert INSTANT.container_create == INSTANT.container_start == 0
    assert INSTANT.heartbeat_interval > 0
    assert 3 <= REALISTIC.image_pull(100_000_000) <= 5
    assert REALISTIC.crash_backoff_base == 10 and REALISTIC.crash_backoff_max == 300
    assert FAST.node_monitor_grace_period < REALISTIC.node_monitor_grace_period


def test_unknown_timing_and_node_counts_are_refused_in_one_line() -> None:
    with pytest.raises(UsageError, match='unknown timing "slow"'):
        parse_timing_name("slow")
    with pytest.raises(UsageError, match="1 to 5000 nodes"):
        ClusterSettings(nodes=0)
