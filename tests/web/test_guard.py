"""Who may talk to the dashboard: a wider bind requires a token on every request (header, link
or cookie), a loopback bind answers only to loopback host names, and actions must be JSON."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from reconciler.runtime.session import Cluster
from reconciler.web.guard import COOKIE, is_loopback, token_for
from reconciler.web.serve import DashboardServer, ServeOptions

PATHS = ("/", "/static/js/main.js", "/api/v1/pods", "/reconciler/v1/status")


@pytest.fixture
def wide(cluster: Cluster) -> Iterator[DashboardServer]:
    """The dashboard bound to every address, with no token given."""
    server = DashboardServer(cluster, ServeOptions(address="0.0.0.0", port=0, advance=False))
    server.start()
    yield server
    server.stop()


def local(server: DashboardServer) -> httpx.Client:
    return httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=10)


def test_a_wide_bind_generates_a_token_and_puts_it_in_the_link(wide: DashboardServer) -> None:
    assert wide.token
    assert wide.link.endswith(f"/?token={wide.token}")


@pytest.mark.parametrize("path", PATHS)
def test_a_wide_bind_refuses_requests_without_the_token(wide: DashboardServer, path: str) -> None:
    with local(wide) as client:
        answer = client.get(path)

    assert answer.status_code == 401
    assert answer.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Unauthorized",
        "reason": "Unauthorized",
        "code": 401,
    }


def test_a_wide_bind_refuses_actions_and_streams_without_the_token(wide: DashboardServer) -> None:
    with local(wide) as client:
        action = client.post("/reconciler/v1/nodes/node-1/stop", json={})
        stream = client.get("/reconciler/v1/stream")
        wrong = client.get("/api/v1/pods", headers={"Authorization": "Bearer guess"})

    assert (action.status_code, stream.status_code, wrong.status_code) == (401, 401, 401)


def test_the_token_is_accepted_as_a_bearer_header(wide: DashboardServer) -> None:
    with local(wide) as client:
        answer = client.get("/api/v1/nodes", headers={"Authorization": f"Bearer {wide.token}"})

    assert answer.status_code == 200
    assert len(answer.json()["items"]) == 3


def test_the_link_sets_a_cookie_that_the_page_then_uses(wide: DashboardServer) -> None:
    with local(wide) as client:
        page = client.get("/", params={"token": wide.token})
        later = client.get("/api/v1/nodes")  # the client sends the cookie back, as a browser does

    assert page.status_code == 200
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}={wide.token}")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert later.status_code == 200


def test_a_token_given_on_a_loopback_bind_is_required_too(cluster: Cluster) -> None:
    server = DashboardServer(cluster, ServeOptions(port=0, token="s3cret", advance=False))
    server.start()
    try:
        with local(server) as client:
            refused = client.get("/api/v1/nodes")
            allowed = client.get("/api/v1/nodes", headers={"Authorization": "Bearer s3cret"})
    finally:
        server.stop()

    assert (refused.status_code, allowed.status_code) == (401, 200)


def test_a_loopback_bind_answers_only_to_loopback_host_names(client: httpx.Client) -> None:
    rebound = client.get("/api/v1/nodes", headers={"Host": "dashboard.attacker.example"})
    named = client.get("/api/v1/nodes", headers={"Host": "localhost:8001"})

    assert rebound.status_code == 403
    assert rebound.json()["reason"] == "Forbidden"
    assert named.status_code == 200


def test_actions_must_be_sent_as_json(client: httpx.Client) -> None:
    form = client.post("/reconciler/v1/nodes/node-1/stop", data={"x": "1"})

    assert form.status_code == 415
    assert form.json()["reason"] == "UnsupportedMediaType"


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("my-host", False),
    ],
)
def test_only_loopback_addresses_go_without_a_token(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback
    assert (token_for(address, None) is None) is loopback
    assert token_for(address, "given") == "given"
