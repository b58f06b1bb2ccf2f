"""The dashboard's HTTP face: the page, the read-only Kubernetes API, the stream and the actions.

`create_app(cluster, ...)` builds the Starlette application over an open cluster:

    GET  /                              the page (web/static/, shipped in the package)
    GET  /api, /api/v1, /apis, /apis/G/V  discovery, from the kinds registry
    GET  /api/v1/..., /apis/G/V/...     lists, single objects (`Accept: application/yaml` too),
                                        `?watch=1` streams (web/resources.py, web/streams.py)
    GET  /reconciler/v1/stream          the page's server-sent events
    GET  /reconciler/v1/status          the GitOps report (web/folderstatus.py)
    POST /reconciler/v1/delete|scale|requests      the actions (web/actions.py)
    POST /reconciler/v1/nodes/NAME/stop|start

While it runs (its lifespan), a ChangeHub wakes the watches, a StatusTracker follows the
daemon's folder and, unless told not to, an Advancer keeps the cluster moving. Errors leave as
Status objects (web/shapes.py); requests pass the Guard first (web/guard.py). With uvicorn
(web/serve.py), this is the only module that imports the web framework's routing.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from reconciler.errors import BadRequest, ReconcilerError
from reconciler.runtime.session import Cluster
from reconciler.source.dump import to_yaml
from reconciler.web import actions, resources
from reconciler.web.advancer import Advancer
from reconciler.web.changes import ChangeHub
from reconciler.web.folderstatus import FolderReader, StatusTracker
from reconciler.web.guard import Guard
from reconciler.web.queries import parse_query
from reconciler.web.shapes import (
    NOT_ALLOWED,
    NOT_FOUND,
    list_of,
    object_not_found,
    status_of,
)
from reconciler.web.streams import api_watch, page_stream, read_list

STATIC = Path(__file__).parent / "static"
WATCH_MEDIA_TYPE = "application/json;stream=watch"
NO_BUFFERING = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@dataclass
class Running:
    """What the application holds while it serves."""

    cluster: Cluster
    hub: ChangeHub
    tracker: StatusTracker
    reader: FolderReader


def create_app(
    cluster: Cluster, *, token: str | None = None, loopback: bool = True, advance: bool = True
) -> Starlette:
    """The application over an open cluster. `token`: required on every request when set;
    `loopback`: the server is bound to a loopback address (requests must name such a host);
    `advance`: keep the cluster moving in real time (off when a daemon in this process does)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        hub = ChangeHub(cluster.store)
        hub.start(asyncio.get_running_loop())
        tracker = StatusTracker(cluster.api, hub)
        tracker.start()
        advancer = Advancer(cluster) if advance else None
        if advancer is not None:
            advancer.start()
        app.state.running = Running(cluster, hub, tracker, FolderReader())
        try:
            yield
        finally:
            hub.close()
            await asyncio.to_thread(hub.join)
            if advancer is not None:
                await asyncio.to_thread(advancer.stop)
            await asyncio.to_thread(tracker.stop)

    routes = [
        Route("/", _page),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Route("/api", lambda request: JSONResponse(resources.versions())),
        Route("/apis", lambda request: JSONResponse(resources.groups())),
        Route("/api/{version}", _discovery),
        Route("/apis/{group}/{version}", _discovery),
        Route("/api/{version}/{path:path}", _resource),
        Route("/apis/{group}/{version}/{path:path}", _resource),
        Route("/reconciler/v1/stream", _stream),
        Route("/reconciler/v1/status", _status),
        Route("/reconciler/v1/delete", _action(_delete), methods=["POST"]),
        Route("/reconciler/v1/scale", _action(_scale), methods=["POST"]),
        Route("/reconciler/v1/requests", _action(_requests), methods=["POST"]),
        Route("/reconciler/v1/nodes/{name}/stop", _action(_stop), methods=["POST"]),
        Route("/reconciler/v1/nodes/{name}/start", _action(_start), methods=["POST"]),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(Guard, token=token, loopback=loopback)],
        exception_handlers={ReconcilerError: _error, 404: _not_found, 405: _not_allowed},
        lifespan=lifespan,
    )


def _running(request: Request) -> Running:
    running: Running = request.app.state.running
    return running


async def _error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ReconcilerError)
    body = status_of(error)
    return JSONResponse(body, status_code=body["code"])


async def _not_found(request: Request, error: Exception) -> Response:
    return JSONResponse(NOT_FOUND, status_code=404)


async def _not_allowed(request: Request, error: Exception) -> Response:
    return JSONResponse(NOT_ALLOWED, status_code=405)


async def _page(request: Request) -> Response:
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


def _group_version(request: Request) -> str:
    params = request.path_params
    group = params.get("group")
    return f"{group}/{params['version']}" if group else str(params["version"])


async def _discovery(request: Request) -> Response:
    if "group" not in request.path_params and request.path_params["version"] != "v1":
        return JSONResponse(NOT_FOUND, status_code=404)
    document = resources.discovery(_group_version(request))
    if document is None:
        return JSONResponse(NOT_FOUND, status_code=404)
    return JSONResponse(document)


async def _resource(request: Request) -> Response:
    """A list, one object, or a watch, as the API server answers them."""
    group_version = _group_version(request)
    if "group" not in request.path_params and group_version != "v1":
        return JSONResponse(NOT_FOUND, status_code=404)
    target = resources.resolve(group_version, request.path_params["path"].split("/"))
    if target is None:
        return JSONResponse(NOT_FOUND, status_code=404)
    query = parse_query(request.query_params)
    running = _running(request)
    store = running.cluster.store
    if target.name is not None and query.watch:  # a watch on one object's own path
        query = query.named(target.name)
        target = resources.Target(target.info, target.namespace)
    if target.name is not None:
        obj = await asyncio.to_thread(store.get, target.key)
        if obj is None:
            return JSONResponse(object_not_found(target.info, target.name), status_code=404)
        if "yaml" in request.headers.get("accept", ""):
            return Response(to_yaml(obj), media_type="application/yaml")
        return JSONResponse(obj)
    if query.watch:
        stream = api_watch(store, running.hub, target, query)
        return StreamingResponse(stream, media_type=WATCH_MEDIA_TYPE, headers=NO_BUFFERING)
    revision, items = await asyncio.to_thread(read_list, store, target, query)
    return JSONResponse(list_of(target.info, items, revision=revision))


async def _stream(request: Request) -> Response:
    running = _running(request)
    stream = page_stream(
        running.cluster.store,
        running.hub,
        running.tracker,
        now=running.cluster.manager.now,
        # EventSource resumes with Last-Event-ID; a page opening a new one passes the revision.
        last_event_id=request.headers.get("last-event-id")
        or request.query_params.get("resourceVersion", ""),
    )
    return StreamingResponse(stream, media_type="text/event-stream", headers=NO_BUFFERING)


async def _status(request: Request) -> Response:
    running = _running(request)
    report = await asyncio.to_thread(running.reader.report, running.cluster.api)
    return JSONResponse(report)


# -- actions -----------------------------------------------------------------------------------

Action = Callable[[Running, Request, dict[str, Any]], Any]


def _action(action: Action) -> Callable[[Request], Awaitable[Response]]:
    """A POST endpoint: read the JSON body, run the action in a worker thread, answer JSON."""

    async def endpoint(request: Request) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw, parse_constant=_not_json) if raw.strip() else {}
        except ValueError:
            raise BadRequest("the request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise BadRequest("the request body must be a JSON object")
        running = _running(request)
        answer = await asyncio.to_thread(action, running, request, body)
        return JSONResponse(answer)

    return endpoint


def _not_json(constant: str) -> Any:
    """Python's json reads NaN and ±Infinity, which JSON (and the API server) has not."""
    raise ValueError(f"{constant} is not JSON")


def _delete(running: Running, request: Request, body: dict[str, Any]) -> Any:
    return actions.delete(running.cluster.api, body)


def _scale(running: Running, request: Request, body: dict[str, Any]) -> Any:
    return actions.scale(running.cluster.api, body)


def _requests(running: Running, request: Request, body: dict[str, Any]) -> Any:
    return actions.send_requests(running.cluster.api, body)


def _stop(running: Running, request: Request, body: dict[str, Any]) -> Any:
    return actions.stop_node(running.cluster.api, request.path_params["name"])


def _start(running: Running, request: Request, body: dict[str, Any]) -> Any:
    return actions.start_node(running.cluster.api, request.path_params["name"])
