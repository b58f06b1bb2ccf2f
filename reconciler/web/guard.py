"""Who may talk to the dashboard: the bind address decides, a token proves it.

- Bound to a loopback address (the default, 127.0.0.1), only this machine can connect; the
  Host header must then name a loopback host too, so that a web page elsewhere cannot reach
  the dashboard by pointing a DNS name at 127.0.0.1 (DNS rebinding).
- Bound wider (`--address 0.0.0.0`), anyone on the network could delete pods: a token is then
  required (`--token`, or one generated and printed), and checked on every request, as the
  `Authorization: Bearer TOKEN` header (API clients), the `token` query parameter (the link
  printed at start; it also sets a cookie) or that cookie (the page's own requests).
- Every POST must send JSON: a cross-site form cannot, so a page elsewhere cannot press the
  dashboard's buttons through the user's browser.

`token_for` picks the token; `Guard` is the ASGI middleware that checks each request and answers
refusals with the API server's Status objects (401 Unauthorized, 403 Forbidden, 415).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from http.cookies import CookieError, SimpleCookie

from starlette.datastructures import Headers, QueryParams
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reconciler.web.shapes import UNAUTHORIZED, status

COOKIE = "reconciler_token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def is_loopback(address: str) -> bool:
    """Whether a bind address only accepts connections from this machine."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def token_for(address: str, given: str | None) -> str | None:
    """The token requests must carry: the one given, a new random one for a wider bind, or
    None on a loopback address with none given."""
    if given:
        return given
    return None if is_loopback(address) else secrets.token_urlsafe(24)


def _host_name(host: str) -> str:
    """`127.0.0.1:8001` → `127.0.0.1`; `[::1]:8001` → `::1`."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rpartition(":")[0] if host.count(":") == 1 else host


class Guard:
    """ASGI middleware enforcing the rules above."""

    def __init__(self, app: ASGIApp, *, token: str | None, loopback: bool) -> None:
        self.app = app
        self.token = token
        self.loopback = loopback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if self.token is None or not self._from_query(scope):
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = SimpleCookie()
                cookie[COOKIE] = self.token or ""
                cookie[COOKIE]["path"] = "/"
                cookie[COOKIE]["httponly"] = True
                cookie[COOKIE]["samesite"] = "Strict"
                value = cookie[COOKIE].OutputString().encode("latin-1")
                message["headers"] = [*message.get("headers", []), (b"set-cookie", value)]
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _refusal(self, scope: Scope, headers: Headers) -> JSONResponse | None:
        if self.loopback and _host_name(headers.get("host", "")) not in LOOPBACK_NAMES:
            message = "the dashboard answers to localhost only (it is bound to a loopback address)"
            return JSONResponse(status(403, "Forbidden", message), status_code=403)
        if self.token is not None and not self._authorized(scope, headers):
            return JSONResponse(UNAUTHORIZED, status_code=401)
        if scope["method"] == "POST":  # other writing methods need a CORS preflight anyway
            kind = headers.get("content-type", "").partition(";")[0].strip()
            if kind != "application/json":
                message = f'unsupported media type "{kind}": send application/json'
                return JSONResponse(status(415, "UnsupportedMediaType", message), status_code=415)
        return None

    def _authorized(self, scope: Scope, headers: Headers) -> bool:
        scheme, _, credential = headers.get("authorization", "").partition(" ")
        offered = [credential.strip()] if scheme.lower() == "bearer" else []
        try:
            cookie = SimpleCookie(headers.get("cookie", ""))
        except CookieError:  # someone else's malformed cookie: it carries no token of ours
            cookie = SimpleCookie()
        if COOKIE in cookie:
            offered.append(cookie[COOKIE].value)
        offered.append(QueryParams(scope.get("query_string", b"")).get("token", ""))
        expected = (self.token or "").encode()
        return any(hmac.compare_digest(value.encode(), expected) for value in offered if value)

    def _from_query(self, scope: Scope) -> bool:
        given = QueryParams(scope.get("query_string", b"")).get("token", "")
        return bool(given) and hmac.compare_digest(given.encode(), (self.token or "").encode())
