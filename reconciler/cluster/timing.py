"""How long things take in the simulated cluster, and the cluster's settings that choose it.

A cluster is created with a node count and a timing profile (`reconciler cluster create --nodes 3
--timing realistic`); both live in the store meta entry "cluster/settings" as JSON, so every
process that opens the cluster simulates the same durations. The kubelet, the node lifecycle
controller and the scheduler read durations through `timing_of`; nothing else hard-codes them.

Profiles:
- `realistic` (default): what a learner sees on a real small cluster (an image pull of a few
  seconds, ContainerCreating visible, a node NotReady after 40 s, evictions after 300 s).
- `fast`: about a tenth of that, for demos.
- `instant`: every step a user waits for takes no time, so scripts and CI converge at once.
  Heartbeats keep a non-zero period (a zero period would spin at one instant); a stopped node
  goes NotReady and is evicted at once.

Per-pod durations (probe periods, termination grace) come from the pod spec, not from here.
This module never writes objects; `save_settings` writes only the meta entry.
"""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass
from enum import StrEnum

from reconciler.api.server import Api
from reconciler.errors import UsageError
from reconciler.store.base import Store

SETTINGS = "cluster/settings"
"""Meta entry holding the cluster settings as JSON: {"nodes": 3, "timing": "realistic"}."""

DEFAULT_NODES = 3
MAX_NODES = 5000
"""Kubernetes' documented limit for one cluster ("no more than 5,000 nodes")."""

MEGABYTE = 1_000_000


class TimingName(StrEnum):
    """The timing profiles a cluster can be created with."""

    INSTANT = "instant"
    FAST = "fast"
    REALISTIC = "realistic"


@dataclass(frozen=True)
class Timing:
    """Simulated durations, in seconds."""

    image_pull_base: float
    """Fixed part of pulling an image that is not in the node's cache (registry round trips)."""
    image_pull_per_mb: float
    """Added per megabyte of image size (the download)."""
    container_create: float
    """From the image being present to the Created event."""
    container_start: float
    """From Created to Started (the container running)."""
    container_stop: float
    """How long a container that handles SIGTERM takes to exit (at most the grace period)."""
    heartbeat_interval: float
    """How often a running kubelet posts its node status (--node-status-update-frequency)."""
    node_monitor_period: float
    """How often the node lifecycle controller looks at node heartbeats (--node-monitor-period)."""
    node_monitor_grace_period: float
    """Silence after which a node's Ready condition turns Unknown (--node-monitor-grace-period)."""
    eviction_toleration: float
    """How long pods tolerate a not-ready/unreachable node before eviction
    (--default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds)."""
    crash_backoff_base: float
    """First CrashLoopBackOff delay, doubled on each restart (kubelet backOffPeriod)."""
    crash_backoff_max: float
    """Ceiling of the CrashLoopBackOff delay (kubelet MaxContainerBackOff)."""
    crash_backoff_reset: float
    """Clean running time after which the back-off starts again from the base."""

    def image_pull(self, size_bytes: int) -> float:
        """How long pulling an image of `size_bytes` takes on a node that does not have it."""
        return self.image_pull_base + self.image_pull_per_mb * size_bytes / MEGABYTE


# A 100 MB image (luksa/kubia is about that size) pulls in 1.5 + 100 * 0.025 = 4 s.
REALISTIC = Timing(
    image_pull_base=1.5,
    image_pull_per_mb=0.025,
    container_create=0.5,
    container_start=0.5,
    container_stop=0.5,
    heartbeat_interval=10.0,
    node_monitor_period=5.0,
    node_monitor_grace_period=40.0,
    eviction_toleration=300.0,
    crash_backoff_base=10.0,
    crash_backoff_max=300.0,
    crash_backoff_reset=600.0,
)

FAST = Timing(
    image_pull_base=0.15,
    image_pull_per_mb=0.0025,
    container_create=0.05,
    container_start=0.05,
    container_stop=0.05,
    heartbeat_interval=1.0,
    node_monitor_period=0.5,
    node_monitor_grace_period=4.0,
    eviction_toleration=30.0,
    crash_backoff_base=1.0,
    crash_backoff_max=30.0,
    crash_backoff_reset=60.0,
)

INSTANT = Timing(
    image_pull_base=0.0,
    image_pull_per_mb=0.0,
    container_create=0.0,
    container_start=0.0,
    container_stop=0.0,
    heartbeat_interval=10.0,
    node_monitor_period=0.0,
    node_monitor_grace_period=0.0,
    eviction_toleration=0.0,
    crash_backoff_base=0.0,
    crash_backoff_max=0.0,
    crash_backoff_reset=0.0,
)

PROFILES: dict[TimingName, Timing] = {
    TimingName.INSTANT: INSTANT,
    TimingName.FAST: FAST,
    TimingName.REALISTIC: REALISTIC,
}


@dataclass(frozen=True)
class ClusterSettings:
    """What `cluster create` chose: how many nodes, which timing profile."""

    nodes: int = DEFAULT_NODES
    timing: TimingName = TimingName.REALISTIC

    def __post_init__(self) -> None:
        if not 1 <= self.nodes <= MAX_NODES:
            raise UsageError(f"a cluster has 1 to {MAX_NODES} nodes, not {self.nodes}")

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ClusterSettings:
        data = json.loads(text)
        return cls(nodes=int(data["nodes"]), timing=parse_timing_name(str(data["timing"])))


def parse_timing_name(text: str) -> TimingName:
    """`fast` → TimingName.FAST; anything else is a one-line usage error naming the choices."""
    try:
        return TimingName(text.lower())
    except ValueError:
        choices = ", ".join(name.value for name in TimingName)
        raise UsageError(f'unknown timing "{text}" (choose one of: {choices})') from None


def _store_of(source: Store | Api) -> Store:
    # Accepting an Api too spares every controller the `api.store` hop.
    return source.store if isinstance(source, Api) else source


@functools.lru_cache(maxsize=16)
def _parsed(text: str) -> ClusterSettings:
    # Every kubelet sync asks for the timing: parse each stored text once (settings are frozen).
    return ClusterSettings.from_json(text)


def stored_settings(source: Store | Api) -> ClusterSettings | None:
    """The settings saved in the store, or None for a cluster never created."""
    text = _store_of(source).get_meta(SETTINGS)
    return _parsed(text) if text else None


def settings_of(source: Store | Api) -> ClusterSettings:
    """The cluster's settings; the defaults (3 nodes, realistic) when none were saved."""
    return stored_settings(source) or ClusterSettings()


def save_settings(source: Store | Api, settings: ClusterSettings) -> None:
    """Record the settings (inside the caller's transaction, if any)."""
    _store_of(source).set_meta(SETTINGS, settings.to_json())


def timing_of(source: Store | Api) -> Timing:
    """The durations of the cluster kept in `source` (a store, or an api over one)."""
    return PROFILES[settings_of(source).timing]
