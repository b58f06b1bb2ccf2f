"""The container runtime's memory of each pod: what the simulated containerd knows but a Pod's
status does not show (when an image pull ends, the back-off clocks, how many requests a program
has answered).

One meta entry per pod, `kubelet/<namespace>/<pod>`, as JSON, tagged with the pod's uid. The
kubelet owns it (cluster/kubelet.py); request routing (cluster/network.py) reads it to find a
running container and bumps its request count. Nothing here writes objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from reconciler.model.keys import ObjectKey
from reconciler.store.base import Store
from reconciler.store.codec import decode, encode


class Step(StrEnum):
    """Where a container is in its life; `due` on its state says when the step ends."""

    WAITING = "Waiting"
    """Not yet looked at (an earlier container of the pod is still starting)."""
    PULLING = "Pulling"
    PULL_BACKOFF = "PullBackOff"
    NEVER_PULL = "NeverPull"
    CREATING = "Creating"
    STARTING = "Starting"
    RUNNING = "Running"
    STOPPING = "Stopping"
    EXITED = "Exited"
    CRASH_BACKOFF = "CrashBackOff"


@dataclass
class Probe:
    """One probe's worker: when it next runs and its consecutive results."""

    next: float | None
    """None once further probes cannot change anything (see cluster/lifecycle.py)."""
    successes: int = 0
    failures: int = 0
    quiet_period: float = 0.0
    """While an unchanging failure repeats, probes are spaced out (see kubelet docs)."""


@dataclass
class ContainerState:
    """The runtime's view of one container of a pod."""

    step: Step = Step.WAITING
    due: float | None = None
    image_name: str = ""
    """Canonical name once pulled (`docker.io/luksa/kubia:latest`)."""
    image_id: str = ""
    container_id: str = ""
    reason: str = ""
    """Waiting reason shown while pulling fails (ErrImagePull, ImagePullBackOff, …)."""
    message: str = ""
    pull_started: float = 0.0
    pull_seconds: float = 0.0
    """How long the pull itself takes, without waiting for another pull of the same image."""
    pull_failed_at: float | None = None
    pull_backoff: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    exit_code: int | None = None
    restarts: int = 0
    backoff: float = 0.0
    backoff_updated: float | None = None
    requests: int = 0
    ready: bool = False
    probes: dict[str, Probe] = field(default_factory=dict)
    last_state: dict[str, Any] = field(default_factory=dict)

    @property
    def running(self) -> bool:
        return self.step in (Step.RUNNING, Step.STOPPING)


@dataclass
class PodRuntime:
    """The runtime's view of one pod: its sandbox (node, IP) and its containers."""

    uid: str
    node: str
    ip: str
    started: float
    containers: dict[str, ContainerState] = field(default_factory=dict)

    def to_json(self) -> str:
        """The record as stored: the fields in declaration order, as `dataclasses.asdict` wrote
        them in earlier versions (written by hand: asdict's deep copy cost 5-10 % of a
        kubelet's time)."""
        record = {
            "uid": self.uid,
            "node": self.node,
            "ip": self.ip,
            "started": self.started,
            "containers": {name: _container(c) for name, c in self.containers.items()},
        }
        return encode(record)

    @classmethod
    def from_json(cls, text: str) -> PodRuntime:
        data = decode(text)
        containers = {}
        for name, raw in data.pop("containers").items():
            probes = {kind: Probe(**_known(Probe, p)) for kind, p in raw.pop("probes").items()}
            raw = _known(ContainerState, {**raw, "step": Step(raw["step"])})
            containers[name] = ContainerState(**raw, probes=probes)
        return cls(**_known(cls, data), containers=containers)


def _container(c: ContainerState) -> dict[str, Any]:
    return {
        "step": c.step.value,
        "due": c.due,
        "image_name": c.image_name,
        "image_id": c.image_id,
        "container_id": c.container_id,
        "reason": c.reason,
        "message": c.message,
        "pull_started": c.pull_started,
        "pull_seconds": c.pull_seconds,
        "pull_failed_at": c.pull_failed_at,
        "pull_backoff": c.pull_backoff,
        "started_at": c.started_at,
        "finished_at": c.finished_at,
        "exit_code": c.exit_code,
        "restarts": c.restarts,
        "backoff": c.backoff,
        "backoff_updated": c.backoff_updated,
        "requests": c.requests,
        "ready": c.ready,
        "probes": {
            kind: {
                "next": p.next,
                "successes": p.successes,
                "failures": p.failures,
                "quiet_period": p.quiet_period,
            }
            for kind, p in c.probes.items()
        },
        "last_state": c.last_state,
    }


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """The fields `cls` has: a record written by another version of reconciler still loads."""
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _entry(key: ObjectKey) -> str:
    return f"kubelet/{key.namespace}/{key.name}"


def load(store: Store, key: ObjectKey) -> PodRuntime | None:
    """The runtime record of a pod, or None when the runtime has none."""
    text = store.get_meta(_entry(key))
    return PodRuntime.from_json(text) if text else None


def save(store: Store, key: ObjectKey, record: PodRuntime) -> None:
    """Keep the record (in the caller's transaction); written only when it changed."""
    text = record.to_json()
    if store.get_meta(_entry(key)) != text:
        store.set_meta(_entry(key), text)


def drop(store: Store, key: ObjectKey) -> None:
    """The pod's sandbox is gone: forget it (an empty entry counts as none)."""
    if store.get_meta(_entry(key)):
        store.set_meta(_entry(key), "")


def go_duration(seconds: float) -> str:
    """A duration as Go prints a `time.Duration` truncated to milliseconds: `523ms`, `3.1s`,
    `1m20s`, `5m0s` (Kubernetes' event messages are formatted this way)."""
    millis = int(seconds * 1000 + 1e-6)  # truncated, as Go does
    if millis < 1000:
        return f"{millis}ms"
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs = f"{rest / 1000:.3f}".rstrip("0").rstrip(".")
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"
