"""`apply --wait`: keep the cluster moving in real time until what was applied is ready.

Ready means what Argo CD calls Healthy (`runtime/health.py`): a ReplicationController,
ReplicaSet or Deployment with all desired replicas ready, a Pod Ready, a LoadBalancer Service with
an external IP; other kinds are ready once they exist. While waiting, the command advances the
cluster (`cluster.advance()`, wall-clock time) a few times a second and shows ready/desired per
workload with rich; when stdout is not a terminal it prints only the end result. This is the CLI
running in real time, never used by tests of the simulation, which drive a virtual clock.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.live import Live
from rich.table import Table

from reconciler.clock import monotonic
from reconciler.errors import UsageError
from reconciler.model.keys import Obj, ObjectKey
from reconciler.model.kinds import kind_info
from reconciler.runtime.health import Health, health_of
from reconciler.runtime.session import Cluster

WAITED_KINDS = ("ReplicationController", "ReplicaSet", "Deployment", "Pod", "Service")
POLL_SECONDS = 0.2
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Seconds in a Go duration as kubectl takes it (`5m`, `90s`, `1h30m`, `0`); a bare number
    counts as seconds."""
    text = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise UsageError(f'invalid duration "{text}" (use e.g. 30s, 5m, 1h30m)')
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def format_duration(seconds: float) -> str:
    """Go's Duration.String for whole seconds: `5m0s`, `30s`, `1h0m0s`."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


@dataclass(frozen=True)
class Progress:
    """One awaited object: how far along it is (`2/3`, `<pending>`) and whether it is ready."""

    key: ObjectKey
    ready: bool
    shown: str
    health: Health = Health.PROGRESSING
    message: str = ""

    @property
    def name(self) -> str:
        return f"{kind_info(self.key.kind).resource}/{self.key.name}"


def awaited(keys: Sequence[ObjectKey]) -> list[ObjectKey]:
    """The keys worth waiting for (workloads, pods, services), in the order given."""
    return [key for key in keys if key.kind in WAITED_KINDS]


def progress_of(key: ObjectKey, live: Obj | None) -> Progress:
    """Where one object stands now."""
    health = health_of(live)
    ready = health.status is Health.HEALTHY
    if live is None:
        return Progress(key, False, "missing", health.status, health.message)
    spec, status = live.get("spec") or {}, live.get("status") or {}
    if key.kind == "Pod":
        containers = status.get("containerStatuses") or []
        count = sum(1 for c in containers if c.get("ready"))
        total = len(spec.get("containers") or [])
        shown = f"{count}/{total}"
    elif key.kind == "Service":
        ingress = (status.get("loadBalancer") or {}).get("ingress") or []
        ips = [entry.get("ip") or entry.get("hostname") for entry in ingress]
        shown = ",".join(str(ip) for ip in ips if ip) or (
            "<pending>" if spec.get("type") == "LoadBalancer" else str(spec.get("clusterIP"))
        )
    else:
        shown = f"{status.get('readyReplicas') or 0}/{spec.get('replicas', 1)}"
    return Progress(key, ready, shown, health.status, health.message)


def wait_until_ready(
    cluster: Cluster, keys: Sequence[ObjectKey], *, timeout: float, console: Console
) -> list[Progress]:
    """Advance the cluster until every key is ready or `timeout` seconds pass; returns the
    final progress of each key (the caller reports the ones not ready)."""
    deadline = monotonic() + timeout
    with Live(console=console, auto_refresh=False, transient=True) as live:
        while True:
            cluster.advance()
            states = [progress_of(key, cluster.api.find(key)) for key in keys]
            if console.is_terminal:
                live.update(_table(states), refresh=True)
            if all(state.ready for state in states) or monotonic() >= deadline:
                return states
            cluster.store.wait(cluster.store.revision(), min(POLL_SECONDS, timeout))


def _table(states: Sequence[Progress]) -> Table:
    table = Table(box=None, show_edge=False, pad_edge=False, title_justify="left")
    table.add_column("NAME")
    table.add_column("READY")
    table.add_column("STATUS", no_wrap=True, overflow="ellipsis")
    for state in states:
        if state.ready:
            status = "Ready"
        elif state.health is Health.DEGRADED and state.message:
            status = f"Degraded: {state.message}"
        else:
            status = str(state.health)
        table.add_row(state.name, state.shown, status)
    return table
