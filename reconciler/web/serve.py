"""Serving the dashboard with uvicorn: in the foreground (`reconciler dashboard`) or in a thread
beside the GitOps daemon (`reconciler watch DIR --dashboard`).

`DashboardServer(cluster, options)` binds its socket at once, so that a port in use is a
one-line error before anything starts (and port 0 picks a free port, whose number `url` then
tells: the tests use it). The token a wider bind needs is chosen here (web/guard.py) and shown
in `link`. Stopping (Ctrl-C, SIGTERM or `stop()`) first ends the open streams, so that the
server does not wait for browsers to hang up. The only module that imports uvicorn.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from dataclasses import dataclass
from types import FrameType

import uvicorn
from starlette.applications import Starlette

from reconciler.clock import monotonic
from reconciler.errors import UsageError
from reconciler.runtime.session import Cluster
from reconciler.web.app import Running, create_app
from reconciler.web.guard import is_loopback, token_for

DEFAULT_PORT = 8001
"""kubectl proxy's port: where Kubernetes users look for a local API."""
DEFAULT_ADDRESS = "127.0.0.1"
STARTUP_DEADLINE = 30.0
GRACE = 2
"""Seconds a stopping server waits for requests in flight before cancelling them."""


@dataclass(frozen=True)
class ServeOptions:
    """Where to listen and how to guard and run."""

    address: str = DEFAULT_ADDRESS
    port: int = DEFAULT_PORT
    token: str | None = None
    advance: bool = True
    """Keep the cluster moving (off when a daemon in the same process does it)."""


class _Server(uvicorn.Server):
    """uvicorn's server, ending the open streams as soon as it is asked to stop."""

    def __init__(self, config: uvicorn.Config, app: Starlette) -> None:
        super().__init__(config)
        self._app = app

    def end_streams(self) -> None:
        running: Running | None = getattr(self._app.state, "running", None)
        if running is not None:
            running.hub.close()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.end_streams()
        super().handle_exit(sig, frame)


def _bind(address: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        return socket.create_server((address.strip("[]"), port), family=family)
    except OSError as error:
        reason = os.strerror(error.errno) if error.errno else str(error)
        raise UsageError(
            f"cannot listen on {address}:{port}: {reason} (choose another --port or --address)"
        ) from None


class DashboardServer:
    """The dashboard served on one socket."""

    def __init__(self, cluster: Cluster, options: ServeOptions) -> None:
        self.token = token_for(options.address, options.token)
        self._socket = _bind(options.address, options.port)
        self.address = options.address
        self.port = int(self._socket.getsockname()[1])
        app = create_app(
            cluster,
            token=self.token,
            loopback=is_loopback(options.address),
            advance=options.advance,
        )
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=GRACE,
        )
        self._server = _Server(config, app)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Where a browser finds the page (this machine's name for an all-addresses bind)."""
        host = self.address
        if host in ("0.0.0.0", "::", "[::]", ""):
            host = socket.gethostname()
        elif ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    @property
    def link(self) -> str:
        """The URL to open, with the token when one is needed."""
        return f"{self.url}?token={self.token}" if self.token else self.url

    def run(self) -> None:
        """Serve in the foreground until Ctrl-C (which ends it normally, as it ends `get -w`)
        or SIGTERM (which uvicorn passes on once it stopped)."""
        with contextlib.suppress(KeyboardInterrupt):  # uvicorn raises the SIGINT it caught again
            self._server.run(sockets=[self._socket])

    def start(self) -> None:
        """Serve in a background thread; return once the server accepts connections."""
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name="reconciler-dashboard",
            daemon=True,
        )
        self._thread.start()
        deadline = monotonic() + STARTUP_DEADLINE
        while not self._server.started:
            if not self._thread.is_alive() or monotonic() > deadline:
                raise UsageError(f"the dashboard could not start on {self.url}")
            self._thread.join(timeout=0.01)

    def stop(self) -> None:
        """Stop a server started with `start()`."""
        self._server.end_streams()
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=STARTUP_DEADLINE)
