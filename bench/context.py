"""What every scenario gets: its sizes (quick or full), a work folder, a progress log, and the
steps the cluster scenarios share (create a cluster, apply a folder and wait for every pod).

Waiting for convergence: after `reconciler apply -f DIR`, the bench reads the store read-only
(bench/poll.py); while pods are missing or not Running it runs a cheap command that opens the
cluster (`reconciler get pods -l app=<one app> -o name`), since opening a cluster advances it to
now. The time reported is the sum of those processes' wall times, so the bench's own looking is
not counted, and the peak RSS is the largest of theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from bench.measure import Run, environment, reconciler_command, run
from bench.poll import PodCount, StoreReader

PODS_PER_NODE = 110
"""Kubernetes' default maxPods, which the simulated kubelets advertise."""


@dataclass
class Context:
    """The run's options and shared facilities."""

    quick: bool
    work: Path
    console: Console
    _available: dict[str, bool] = field(default_factory=dict)

    def log(self, message: str) -> None:
        """A progress line on stderr (the table goes to stdout)."""
        self.console.log(message)

    def home(self, name: str) -> Path:
        """A fresh state folder for one scenario (RECONCILER_HOME)."""
        path = self.work / name / "home"
        path.mkdir(parents=True, exist_ok=False)
        return path

    def available(self, command: str) -> bool:
        """Whether `reconciler COMMAND` exists yet (asked once per run)."""
        if command not in self._available:
            scratch = self.work / f"probe-{command.replace(' ', '-')}"
            scratch.mkdir(parents=True, exist_ok=True)
            result = run(
                [*reconciler_command(), *command.split(), "--help"],
                env=environment(scratch),
                timeout=60,
            )
            self._available[command] = result.ok
        return self._available[command]


def nodes_for(pods: int) -> int:
    """The fewest nodes, rounded up to a multiple of 50, that can hold `pods` pods."""
    needed = -(-pods // PODS_PER_NODE)
    return max(50, -(-needed // 50) * 50)


def create_cluster(home: Path, *, nodes: int, timeout: float = 300) -> Run:
    """`reconciler cluster create --nodes N --timing instant` in `home`."""
    return run(
        [*reconciler_command(), "cluster", "create", "--nodes", str(nodes), "--timing", "instant"],
        env=environment(home),
        timeout=timeout,
    )


@dataclass(frozen=True)
class Convergence:
    """How applying a folder went, up to every pod Running (or the time limit)."""

    seconds: float
    peak_rss: int
    pods: PodCount
    expected: int
    runs: list[Run]
    error: str | None = None

    @property
    def converged(self) -> bool:
        return self.error is None and self.pods == PodCount(self.expected, self.expected)

    def describe(self) -> str:
        """Why it did not converge, for the verdict."""
        if self.error is not None:
            return self.error
        if self.converged:
            return ""
        return f"{self.pods.running:,} of {self.expected:,} pods Running after {self.seconds:.0f} s"


def first_error(result: Run) -> str:
    """The first line the command wrote on stderr (or stdout), for the verdict."""
    for line in (result.stderr + result.stdout).splitlines():
        if line.strip():
            return line.strip()[:160]
    return f"exit code {result.returncode}"


def apply_and_converge(
    home: Path, folder: Path, *, expected: int, probe_app: str, timeout: float
) -> Convergence:
    """`reconciler apply -f FOLDER`, then advance until `expected` pods are all Running."""
    env = environment(home)
    command = reconciler_command()
    runs = [run([*command, "apply", "-f", str(folder)], env=env, timeout=timeout)]
    applied = runs[0]
    with StoreReader(home) as store:
        pods = store.pods()
        if applied.timed_out or applied.returncode != 0:
            reason = "timed out" if applied.timed_out else first_error(applied)
            return _convergence(runs, pods, expected, f"apply failed: {reason}")
        while pods != PodCount(expected, expected):
            spent = sum(r.seconds for r in runs)
            if spent >= timeout:
                break
            runs.append(
                run(
                    [*command, "get", "pods", "-l", f"app={probe_app}", "-o", "name"],
                    env=env,
                    timeout=timeout - spent,
                )
            )
            pods = store.pods()
            if not runs[-1].ok and not runs[-1].timed_out:
                return _convergence(runs, pods, expected, f"get failed: {first_error(runs[-1])}")
    return _convergence(runs, pods, expected, None)


def _convergence(runs: list[Run], pods: PodCount, expected: int, error: str | None) -> Convergence:
    return Convergence(
        sum(r.seconds for r in runs), max(r.peak_rss for r in runs), pods, expected, runs, error
    )
