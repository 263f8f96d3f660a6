"""What `serve` answers at all, checked before any page is made (an ASGI middleware).

- **Host.** Only requests whose Host header names this server by a loopback name and its
  port: a web page elsewhere that points its own host name at 127.0.0.1 (DNS rebinding)
  sends its own name, and is refused (403).
- **Methods.** GET and HEAD everywhere (405 otherwise, `Allow: GET, HEAD`); the review
  desk's few write routes take POST only (405, `Allow: POST`), so no GET ever changes
  anything. A plain `serve` has no write route: it never writes.
- **Where a write comes from.** A POST whose Origin or Referer names another site (or the
  opaque origin `null`) is refused (403) before its body is read; one over
  MAX_FORM_BYTES, or without a length, too (413, 411). The per-server token in the form is
  checked by the write itself (`token_matches`), once the form is parsed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
READ_METHODS = ("GET", "HEAD")
# A desk form holds a few short fields and at most a reason of a few thousand characters.
MAX_FORM_BYTES = 64 * 1024


def local_hosts(port: int) -> set[str]:
    """The Host header values that name this server: a loopback name and its port."""
    hosts = {f"{name}:{port}" for name in LOCAL_HOSTS}
    return hosts | set(LOCAL_HOSTS) if port == 80 else hosts


def _same_origin(value: str, port: int) -> bool:
    """Whether an Origin or Referer header names this server (http, loopback, its port)."""
    address = urlsplit(value)
    return address.scheme == "http" and address.netloc in local_hosts(port)


def token_matches(given: object, token: str) -> bool:
    """The form's token is the server's (compared in constant time)."""
    return isinstance(given, str) and secrets.compare_digest(given.encode(), token.encode())


class Guard:
    """The checks above, around the application; `writes` are the POST routes' paths."""

    def __init__(self, app: ASGIApp, writes: Iterable[re.Pattern[str]] = ()):
        self.app = app
        self.writes = tuple(writes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope) -> PlainTextResponse | None:
        headers = {name.decode("latin-1"): value for name, value in scope["headers"]}
        port = scope["server"][1]
        host = headers.get("host", b"").decode("latin-1")
        if host not in local_hosts(port):
            return PlainTextResponse(
                "Letters are served only at http://127.0.0.1, localhost or [::1] "
                "with this server's port.\n",
                status_code=403,
            )
        method = scope["method"]
        if not any(route.fullmatch(scope["path"]) for route in self.writes):
            if method in READ_METHODS:
                return None
            return PlainTextResponse(
                "Only GET and HEAD are served here.\n", 405, {"Allow": ", ".join(READ_METHODS)}
            )
        if method != "POST":
            return PlainTextResponse(
                "This address changes things: it takes a form sent with POST only.\n",
                405,
                {"Allow": "POST"},
            )
        for name in ("origin", "referer"):
            value = headers.get(name)
            if value is not None and not _same_origin(value.decode("latin-1"), port):
                return PlainTextResponse(
                    f"Refused: the form was not sent from this server's pages ({name}).\n", 403
                )
        length = headers.get("content-length")
        if length is None:
            return PlainTextResponse("A form must say its length.\n", 411)
        if not length.isdigit() or int(length) > MAX_FORM_BYTES:
            return PlainTextResponse("The form is too large.\n", 413)
        return None
