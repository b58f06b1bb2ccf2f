"""The simulated image catalog: which images exist, how big they are, and what they do when run.

The kubelet asks `pull` whether (and as what) an image reference can be pulled, and `process_of`
what a container of it will do (serve HTTP on a port, run for a while then exit, …); request
routing (`cluster/network.py`) and probes ask `Image.answer` what the program answers to its n-th
request. The catalog itself is data (`CATALOG`): adding an image is one entry.

Rules, as a real registry would make them:
- A Docker Hub name (no registry host, e.g. `nginx`, `foo/bar`) always pulls: catalog images
  behave as described there; any other name runs a plain HTTP server (`GENERIC`).
- A name on another registry (`gcr.io/x/y`, `registry.example.com/x`, `localhost:5000/x`; a host is
  a first path component with a `.` or `:` in it, or `localhost`) pulls only when the catalog
  knows it; otherwise the pull fails the way containerd words it (not found, no such host,
  connection refused).

This module is pure data and pure functions: no store, no clock.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

DOCKER_HUB = "docker.io"
HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
KNOWN_REGISTRIES = frozenset({"gcr.io", "registry.k8s.io", "quay.io", "ghcr.io", "k8s.gcr.io"})
"""Registries that exist: an unknown repository there is "not found", not "no such host"."""
DNS_SERVER = "172.18.0.1:53"
"""Where a node resolves registry names (the docker bridge, as on a kind node)."""


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference: `luksa/kubia` → docker.io/luksa/kubia:latest."""

    host: str
    repository: str
    tag: str
    digest: str | None = None

    @property
    def name(self) -> str:
        """The canonical name containerd reports: `docker.io/library/nginx:latest`."""
        base = f"{self.host}/{self.repository}"
        return f"{base}@{self.digest}" if self.digest else f"{base}:{self.tag}"

    @property
    def familiar(self) -> str:
        """The name as people write it (`nginx`, `luksa/kubia`), without tag or digest."""
        if self.host == DOCKER_HUB:
            return self.repository.removeprefix("library/")
        return f"{self.host}/{self.repository}"


def parse_ref(image: str) -> ImageRef:
    """Parse a reference as the container runtime does (default host docker.io, default tag
    latest, official images under `library/`)."""
    rest, _, digest = image.partition("@")
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        host, path = first, remainder
    else:
        host, path = DOCKER_HUB, rest
    if host in HUB_ALIASES:
        host = DOCKER_HUB
    last_slash = path.rfind("/")
    colon = path.rfind(":")
    tag = "latest"
    if colon > last_slash:
        path, tag = path[:colon], path[colon + 1 :]
    if host == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    return ImageRef(host, path, tag, digest or None)


@dataclass(frozen=True)
class Answer:
    """What an HTTP request to a running container gets back."""

    status: int
    body: str


@dataclass(frozen=True)
class Image:
    """How one simulated image behaves."""

    size: int
    """Bytes, as `Pulled … Image size: N bytes.` and the node's status.images report."""
    port: int | None = None
    """The TCP port its server listens on; None when it serves nothing (busybox), and for
    `GENERIC` every port the container declares."""
    reply: str = ""
    """The body of a successful answer; `{hostname}` is the pod's hostname."""
    fail_from: int | None = None
    """From this request on (counting from 1, probes included), answer 500 with `failure`."""
    failure: str = ""
    start_log: tuple[str, ...] = ()
    """Lines the program prints when it starts (`kubectl logs`)."""
    request_log: str | None = None
    """A line printed per request; `{client}` is the client's address."""
    runs_for: float | None = None
    """Seconds after which the program exits by itself; None: it runs until stopped."""
    exit_code: int = 0
    shell: bool = False
    """A shell image: `command`/`args` decide what runs (`sleep 3600`, `exit 1`)."""
    stops_on_sigterm: bool = True
    """False for a PID 1 that ignores SIGTERM (node, sleep): it is killed after the grace period."""
    any_port: bool = False

    def serves(self, port: int) -> bool:
        """Whether something listens on `port` in a container of this image."""
        return self.any_port or self.port == port

    def answer(self, hostname: str, request_number: int) -> Answer:
        """The answer to the `request_number`-th request (1 = first) since the container started."""
        if self.fail_from is not None and request_number >= self.fail_from:
            return Answer(500, self.failure.format(hostname=hostname))
        return Answer(200, self.reply.format(hostname=hostname))

    def answers_change_after(self, request_number: int) -> bool:
        """Whether a later request may be answered differently from this one."""
        return self.fail_from is not None and request_number < self.fail_from


_KUBIA_SIZE = 98_730_123


def _node_app(reply: str, *, fail_from: int | None = None, failure: str = "") -> Image:
    """The book's Node.js apps: listen on 8080, log each request, ignore SIGTERM as PID 1."""
    return Image(
        _KUBIA_SIZE,
        port=8080,
        reply=reply,
        fail_from=fail_from,
        failure=failure,
        start_log=("Kubia server starting...",),
        request_log="Received request from ::ffff:{client}",
        stops_on_sigterm=False,
    )


_NGINX_PAGE = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>
</body>
</html>
"""


def _shell(size: int) -> Image:
    """A distribution base image: its default `sh` exits at once without a terminal."""
    return Image(size, shell=True, runs_for=0.0, stops_on_sigterm=False)


CATALOG: Mapping[str, Image] = {
    # Kubernetes in Action: the app of chapter 2 and its variants (chapters 4 and 9).
    "luksa/kubia": _node_app("You've hit {hostname}\n"),
    "luksa/kubia:v1": _node_app("This is v1 running in pod {hostname}\n"),
    "luksa/kubia:v2": _node_app("This is v2 running in pod {hostname}\n"),
    "luksa/kubia:v3": _node_app(
        "This is v3 running in pod {hostname}\n",
        fail_from=5,
        failure="Some internal error has occurred! This is pod {hostname}\n",
    ),
    "luksa/kubia:v4": _node_app("This is v4 running in pod {hostname}\n"),
    "luksa/kubia-unhealthy": _node_app(
        "You've hit {hostname}\n", fail_from=6, failure="I'm not well. Please restart me!"
    ),
    "luksa/batch-job": Image(
        _KUBIA_SIZE, runs_for=120.0, start_log=("Batch job starting",), stops_on_sigterm=False
    ),
    # A crash-looping demo: starts, then exits with an error after ten seconds.
    "reconciler/crasher": Image(
        4_512_000, runs_for=10.0, exit_code=1, start_log=("starting", "crashing")
    ),
    "nginx": Image(72_404_037, port=80, reply=_NGINX_PAGE),
    "gcr.io/google-samples/hello-app": Image(
        11_312_454, port=8080, reply="Hello, world!\nVersion: 1.0.0\nHostname: {hostname}\n"
    ),
    "busybox": _shell(2_155_363),
    "alpine": _shell(3_652_536),
    "ubuntu": _shell(29_754_422),
    "debian": _shell(49_557_601),
}

GENERIC = Image(
    25_000_000, reply="Hello from {hostname}\n", any_port=True, start_log=("server started",)
)
"""Any Docker Hub image the catalog does not name: a plain HTTP server on every declared port."""


@dataclass(frozen=True)
class Pulled:
    """A pull that succeeds: what was pulled and how it behaves."""

    ref: ImageRef
    image: Image

    @property
    def image_id(self) -> str:
        """`docker.io/luksa/kubia@sha256:…`, a digest derived from the name."""
        return f"{self.ref.host}/{self.ref.repository}@{digest_of(self.ref)}"


@dataclass(frozen=True)
class PullError:
    """A pull that fails, with containerd's error text."""

    ref: ImageRef
    message: str


def digest_of(ref: ImageRef) -> str:
    """A stable sha256 digest per image name (the same on every node, as a registry's is)."""
    if ref.digest:
        return ref.digest
    text = f"{ref.host}/{ref.repository}:{ref.tag}"
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def lookup(ref: ImageRef) -> Image | None:
    """The catalog's image for a reference (tag first, then the repository), or None."""
    familiar = ref.familiar
    return CATALOG.get(f"{familiar}:{ref.tag}") or CATALOG.get(familiar)


def pull(image: str) -> Pulled | PullError:
    """What pulling `image` on a node gives: the image, or the runtime's error."""
    ref = parse_ref(image)
    known = lookup(ref)
    if known is not None:
        return Pulled(ref, known)
    if ref.host == DOCKER_HUB:
        return Pulled(ref, GENERIC)
    return PullError(ref, _pull_error(ref))


def _pull_error(ref: ImageRef) -> str:
    wanted = f"{ref.host}/{ref.repository}:{ref.tag}"
    prefix = f'failed to pull and unpack image "{wanted}": failed to resolve reference "{wanted}": '
    if ref.host in KNOWN_REGISTRIES:
        return f"rpc error: code = NotFound desc = {prefix}{wanted}: not found"
    url = f"https://{ref.host}/v2/{ref.repository}/manifests/{ref.tag}"
    host, _, port = ref.host.partition(":")
    if host == "localhost":
        cause = f"dial tcp 127.0.0.1:{port or 443}: connect: connection refused"
    else:
        cause = f"dial tcp: lookup {host} on {DNS_SERVER}: no such host"
    return f'rpc error: code = Unknown desc = {prefix}failed to do request: Head "{url}": {cause}'


@dataclass(frozen=True)
class Process:
    """What one container runs: when it exits (None: never), with which code, what it logs."""

    runs_for: float | None
    exit_code: int
    logs: tuple[str, ...] = field(default=())


_SLEEP = re.compile(r"\bsleep\s+(\d+(?:\.\d+)?|infinity|inf)\b")
_EXIT = re.compile(r"\bexit\s+(\d+)\b")
_FOREVER = re.compile(r"\bwhile\s+(true|:)|\btail\s+-f\b")
_ECHO = re.compile(r"""\becho\s+(?:"([^"]*)"|'([^']*)'|([^;&|]*))""")


def process_of(image: Image, command: Sequence[str], args: Sequence[str]) -> Process:
    """What a container of `image` runs with the pod's `command` and `args`.

    Only shell images read them, and only for what a learner's one-liner says about time:
    `sleep N` (or `infinity`, `while true`, `tail -f`), `exit N`, and `echo` lines."""
    if not image.shell or not (command or args):
        return Process(image.runs_for, image.exit_code, image.start_log)
    text = " ".join((*command, *args))
    logs = tuple(next(g for g in m.groups() if g is not None).strip() for m in _ECHO.finditer(text))
    exit_match = _EXIT.search(text)
    code = int(exit_match.group(1)) if exit_match else 0
    sleeps = [s.group(1) for s in _SLEEP.finditer(text)]
    if _FOREVER.search(text) or any(s in ("infinity", "inf") for s in sleeps):
        return Process(None, code, logs)
    runs_for = sum(float(s) for s in sleeps)
    if not math.isfinite(runs_for):  # more digits than a float holds: forever, as `infinity`
        return Process(None, code, logs)
    return Process(runs_for, code, logs)
