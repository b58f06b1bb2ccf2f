"""A pod's containers through their life: image, create, start, probes, exit, restart, stop.

The kubelet (cluster/kubelet.py) calls `advance` with everything about one pod; it moves each
container through every step that is due by now, recording the kubelet's events with its exact
words (pkg/kubelet/images, kuberuntime, prober), and returns when the next step falls due.

Timing choices, as the kubelet does it:
- Image pulls take `Timing.image_pull(size)`; a pull of an image another pod on the node is
  pulling waits for it ("… in 0.5s (3.9s including waiting)"). A failed pull backs off 10 s
  doubling to 5 min (ErrImagePull, then ImagePullBackOff until the next try).
- A crashed container restarts at once the first time, then after 10 s, 20 s, 40 s … 5 min
  (CrashLoopBackOff); the back-off starts afresh after 10 min of clean running (kubelet's
  flowcontrol.Backoff keyed on the container, measured from the container's finish time). The
  `instant` profile has no back-off of its own, so the realistic one applies there (a zero
  back-off would restart a crashing container forever at one instant).
- Probes run every periodSeconds after initialDelaySeconds. Once a probe's answer can no longer
  change (any image but a request-counting one), a passing probe stops being simulated and a
  failing one is re-run with a doubling spacing up to 5 min, so an idle cluster costs nothing
  and a broken one little (its Unhealthy event count grows more slowly than a real one's).
- Stopping a container takes `Timing.container_stop` when its program exits on SIGTERM, the
  whole grace period when it ignores it (node or sleep as PID 1, exit code 137); nothing waits
  in the `instant` profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.api.events import EventRecorder, EventType
from reconciler.api.server import Api
from reconciler.cluster import images, logs
from reconciler.cluster.containers import ContainerState, Probe, Step, go_duration
from reconciler.cluster.pod_status import terminated
from reconciler.cluster.probes import ProbeKind, run_probe
from reconciler.cluster.timing import REALISTIC, Timing
from reconciler.model.keys import Obj, ObjectKey

MAX_NODE_IMAGES = 50
"""The kubelet reports at most this many images in a node's status (nodeStatusMaxImages)."""
ERR_IMAGE_PULL_SHOWN = 2.0
"""Seconds a failed pull shows ErrImagePull before the next sync turns it into ImagePullBackOff."""
MAX_PROBE_SPACING = 300.0


@dataclass
class PodContext:
    """Everything one pass over a pod needs."""

    api: Api
    pod: Obj
    node: Obj
    timing: Timing
    recorder: EventRecorder
    pod_ip: str

    @property
    def now(self) -> float:
        return self.api.clock.now()

    @property
    def terminating(self) -> bool:
        return bool(self.pod["metadata"].get("deletionTimestamp"))

    @property
    def label(self) -> str:
        """How the kubelet names a pod in messages: `kubia-x_default(uid)`."""
        meta = self.pod["metadata"]
        return f"{meta['name']}_{meta['namespace']}({meta['uid']})"

    def backoff_limits(self) -> tuple[float, float, float]:
        timing = self.timing if self.timing.crash_backoff_base > 0 else REALISTIC
        return timing.crash_backoff_base, timing.crash_backoff_max, timing.crash_backoff_reset

    def event(self, reason: str, message: str, *, warning: bool = False) -> None:
        kind = EventType.WARNING if warning else EventType.NORMAL
        self.recorder.record(self.pod, kind, reason, message)


def stop_delay(timing: Timing, image: images.Image, grace: float) -> float:
    """How long a container takes to stop once asked to (see the module docstring)."""
    if timing.container_stop == 0:
        return 0.0
    return min(timing.container_stop, grace) if image.stops_on_sigterm else grace


def image_of(spec: dict[str, Any]) -> images.Image:
    """The catalog image a (successfully pulled) container runs."""
    pulled = images.pull(spec.get("image", ""))
    return pulled.image if isinstance(pulled, images.Pulled) else images.GENERIC


def next_due(state: ContainerState) -> float | None:
    """When this container next needs the kubelet: its step's end or its next probe."""
    times = [state.due] if state.due is not None else []
    if state.step is Step.RUNNING:
        times.extend(p.next for p in state.probes.values() if p.next is not None)
    return min(times) if times else None


def advance(ctx: PodContext, spec: dict[str, Any], state: ContainerState) -> None:
    """Run every step of one container that is due by now."""
    for _ in range(1000):  # a container takes a handful of steps per instant; never loop forever
        due = next_due(state)
        if due is None or due > ctx.now:
            return
        if state.step is Step.RUNNING and (state.due is None or state.due > ctx.now):
            _probe(ctx, spec, state)
        else:
            _STEPS[state.step](ctx, spec, state)


def _ensure_image(ctx: PodContext, spec: dict[str, Any], state: ContainerState) -> None:
    image, now = spec.get("image", ""), ctx.now
    pulled = images.pull(image)
    policy = spec.get("imagePullPolicy", "IfNotPresent")
    present = isinstance(pulled, images.Pulled) and _on_node(ctx.node, pulled)
    if present and policy != "Always":
        ctx.event("Pulled", f'Container image "{image}" already present on machine')
        assert isinstance(pulled, images.Pulled)
        _image_ready(ctx, state, pulled)
        return
    if policy == "Never":
        message = f'Container image "{image}" is not present with pull policy of Never'
        ctx.event("ErrImageNeverPull", message, warning=True)
        state.step, state.reason, state.message = Step.NEVER_PULL, "ErrImageNeverPull", message
        state.due = now + _next_pull_backoff(ctx, state)
        state.pull_failed_at = now
        return
    ctx.event("Pulling", f'Pulling image "{image}"')
    state.step, state.pull_started = Step.PULLING, now
    timing = ctx.timing
    if not isinstance(pulled, images.Pulled):
        state.pull_seconds, state.due = timing.image_pull_base, now + timing.image_pull_base
        return
    in_flight = f"pulls/{ctx.node['metadata']['name']}/{pulled.ref.name}"
    other = float(ctx.api.store.get_meta(in_flight) or 0.0)
    quick = timing.image_pull_base / 3  # layers cached: only the manifest is fetched
    if present or other > now:
        state.pull_seconds = quick
        state.due = max(other, now) + quick
    else:
        state.pull_seconds = timing.image_pull(pulled.image.size) * ctx.api.rng.uniform(0.9, 1.1)
        state.due = now + state.pull_seconds
        if state.due > now:  # a pull that takes no time (instant timing) is never in flight
            ctx.api.store.set_meta(in_flight, repr(state.due))


def _pulled(ctx: PodContext, spec: dict[str, Any], state: ContainerState) -> None:
    image = spec.get("image", "")
    pulled = images.pull(image)
    if isinstance(pulled, images.PullError):
        ctx.event("Failed", f'Failed to pull image "{image}": {pulled.message}', warning=True)
        ctx.event("Failed", "Error: ErrImagePull", warning=True)
        backoff = _next_pull_backoff(ctx, state)
        state.step, state.reason, state.message = Step.PULL_BACKOFF, "ErrImagePull", pulled.message
        state.pull_failed_at = ctx.now
        state.due = ctx.now + min(ERR_IMAGE_PULL_SHOWN, backoff)
        return
    total = ctx.now - state.pull_started
    ctx.event(
        "Pulled",
        f'Successfully pulled image "{image}" in {go_duration(state.pull_seconds)} '
        f"({go_duration(total)} including waiting). Image size: {pulled.image.size} bytes.",
    )
    _add_to_node(ctx, pulled)
    _image_ready(ctx, state, pulled)


def _next_pull_backoff(ctx: PodContext, state: ContainerState) -> float:
    base, ceiling, reset = ctx.backoff_limits()
    fresh = state.pull_failed_at is None or ctx.now - state.pull_failed_at > reset
    state.pull_backoff = base if fresh else min(2 * state.pull_backoff, ceiling)
    return state.pull_backoff


def _pull_backoff(ctx: PodContext, spec: dict[str, Any], state: ContainerState) -> None:
    if state.reason == "ErrImagePull":
        message = f'Back-off pulling image "{spec.get("image", "")}"'
        ctx.event("BackOff", message)
        ctx.event("Failed", "Error: ImagePullBackOff", warning=True)
        state.reason, state.message = "ImagePullBackOff", message
        state.due = (state.pull_failed_at or ctx.now) + state.pull_backoff
        return
    state.step, state.due = Step.WAITING, ctx.now


def _image_ready(ctx: PodContext, state: ContainerState, pulled: images.Pulled) -> None:
    state.image_name, state.image_id = pulled.ref.name, pulled.image_id
    state.reason = state.message = ""
    state.step, state.due = Step.CREATING, ctx.now + ctx.timing.container_create


def _on_node(node: Obj, pulled: images.Pulled) -> bool:
    return any(pulled.ref.name in entry.get("names", ()) for entry in _node_images(node))


def _node_images(node: Obj) -> list[dict[str, Any]]:
    images_: list[dict[str, Any]] = node.get("status", {}).get("images") or []
    return images_


def _add_to_node(ctx: PodContext, pulled: images.Pulled) -> None:
    """The node's image cache grows (status.images, biggest first, as the kubelet lists it)."""
    if _on_node(ctx.node, pulled):  # the kubelet's node is current: no read, no write
        return
    node = ctx.api.get(ObjectKey.of(ctx.node))  # fresh, to write it
    if _on_node(node, pulled):
        ctx.node = node
        return
    entries = [
        *_node_images(node),
        {"names": [pulled.image_id, pulled.ref.name], "sizeBytes": pulled.image.size},
    ]
    entries.sort(key=lambda e: -int(e["sizeBytes"]))
    node["status"]["images"] = entries[:MAX_NODE_IMAGES]
    ctx.node = ctx.api.update_status(node)


def _create(ctx: PodContext, spec: dict[str, Any], state: ContainerState) -> None:
    state.container_id = "containerd://" + f"{ctx.api.rng.getrandbits(256):064x}"
    ctx.event("Created", f"Created container {spec['name']}")
    state.step, state.due = Step.STARTING, ctx.now + ctx.timing.container_start


def _start(ctx: PodContext, spec: dict[str, Any], state: ContainerState) -> None:
    now = ctx.now
    ctx.event("Started", f"Started container {spec['name']}")
    image = image_of(spec)
    process = images.process_of(image, spec.get("command") or (), spec.get("args") or ())
    if state.restarts:
        logs.restart(ctx.api, ctx.pod, spec["name"])
    logs.append(ctx.api, ctx.pod, spec["name"], process.logs)
    state.step, state.started_at, state.finished_at = Step.RUNNING, now, None
    state.exit_code, state.requests = None, 0
    state.due = None if process.runs_for is None else now + process.runs_for
    state.probes = {}
    for kind in ProbeKind:
        probe = spec.get(kind.field)
        if probe is not None:
            state.probes[kind] = Probe(next=now + float(probe.get("initialDelaySeconds", 0)))
    state.ready = ProbeKind.READINESS not in state.probes


def _probe(ctx: PodContext, spec: dict[str, Any], state: ContainerState) -> None:
    """Run every probe of a running container that is due now."""
    now = ctx.now
    image = image_of(spec)
    for kind in ProbeKind:
        worker = state.probes.get(kind)
        if (
            worker is None
            or worker.next is None
            or worker.next > now
            or state.step is not Step.RUNNING
        ):
            continue
        probe = spec[kind.field]
        outcome = run_probe(
            probe,
            spec,
            image,
            pod_ip=ctx.pod_ip,
            hostname=_hostname(ctx.pod),
            request_number=state.requests + 1,
        )
        if outcome.request:
            state.requests += 1
        period = float(probe.get("periodSeconds", 10))
        settled = not image.answers_change_after(state.requests)
        if outcome.success:
            worker.successes, worker.failures, worker.quiet_period = worker.successes + 1, 0, 0.0
            if kind is ProbeKind.READINESS and worker.successes >= probe.get("successThreshold", 1):
                state.ready = True
            passed = kind is ProbeKind.LIVENESS or state.ready
            worker.next = None if settled and passed else now + period
            continue
        worker.successes, worker.failures = 0, worker.failures + 1
        ctx.event("Unhealthy", f"{kind.value} probe failed: {outcome.message}", warning=True)
        threshold = int(probe.get("failureThreshold", 3))
        if worker.failures < threshold:
            worker.next = now + period
            continue
        if kind is ProbeKind.READINESS:
            state.ready = False
            if settled:
                worker.quiet_period = min(max(2 * worker.quiet_period, period), MAX_PROBE_SPACING)
            worker.next = now + max(period, worker.quiet_period)
            continue
        ctx.event("Killing", f"Container {spec['name']} failed liveness probe, will be restarted")
        grace = float(ctx.pod["spec"].get("terminationGracePeriodSeconds", 30))
        state.step = Step.STOPPING
        state.due = now + stop_delay(ctx.timing, image, grace)


def _hostname(pod: Obj) -> str:
    return str(pod["spec"].get("hostname") or pod["metadata"]["name"])


def _exit(ctx: PodContext, spec: dict[str, Any], state: ContainerState) -> None:
    """The program ends (by itself, or killed when its stop is due)."""
    if state.step is Step.STOPPING:
        state.exit_code = 143 if image_of(spec).stops_on_sigterm else 137
    else:
        process = images.process_of(
            image_of(spec), spec.get("command") or (), spec.get("args") or ()
        )
        state.exit_code = process.exit_code
    state.step, state.finished_at, state.ready, state.due = Step.EXITED, ctx.now, False, ctx.now
    for worker in state.probes.values():
        worker.next = None


def _after_exit(ctx: PodContext, spec: dict[str, Any], state: ContainerState) -> None:
    """Restart an exited container when the pod's restartPolicy says so, backing off."""
    state.due = None
    policy = ctx.pod["spec"].get("restartPolicy", "Always")
    restarts = policy == "Always" or (policy == "OnFailure" and state.exit_code != 0)
    if ctx.terminating or not restarts:
        return
    base, ceiling, reset = ctx.backoff_limits()
    finished = state.finished_at if state.finished_at is not None else ctx.now
    updated = state.backoff_updated
    expired = updated is None or finished - updated > reset
    last = {"terminated": terminated(state)}
    if not expired and ctx.now - finished < state.backoff:
        if state.step is not Step.CRASH_BACKOFF:
            ctx.event(
                "BackOff",
                f"Back-off restarting failed container {spec['name']} in pod {ctx.label}",
                warning=True,
            )
        state.step, state.last_state = Step.CRASH_BACKOFF, last
        state.reason = "CrashLoopBackOff"
        state.message = (
            f"back-off {go_duration(state.backoff)} restarting failed "
            f"container={spec['name']} pod={ctx.label}"
        )
        state.due = finished + state.backoff
        return
    state.backoff = base if expired else min(2 * state.backoff, ceiling)
    state.backoff_updated = finished
    state.last_state, state.restarts = last, state.restarts + 1
    state.step, state.due, state.reason, state.message = Step.WAITING, ctx.now, "", ""


def stop(ctx: PodContext, spec: dict[str, Any], state: ContainerState, *, deadline: float) -> None:
    """The pod is being deleted: ask a running container to stop (Killing), by `deadline`."""
    if state.step is Step.RUNNING:
        ctx.event("Killing", f"Stopping container {spec['name']}")
        grace = max(deadline - ctx.now, 0.0)
        state.step = Step.STOPPING
        state.due = ctx.now + stop_delay(ctx.timing, image_of(spec), grace)
    elif state.step is Step.STOPPING and state.due is not None:
        state.due = min(state.due, max(deadline, ctx.now))
    elif state.step is not Step.EXITED:
        state.step, state.due = Step.EXITED, None


_STEPS = {
    Step.WAITING: _ensure_image,
    Step.NEVER_PULL: _ensure_image,
    Step.PULLING: _pulled,
    Step.PULL_BACKOFF: _pull_backoff,
    Step.CREATING: _create,
    Step.STARTING: _start,
    Step.RUNNING: _exit,
    Step.STOPPING: _exit,
    Step.EXITED: _after_exit,
    Step.CRASH_BACKOFF: _after_exit,
}
