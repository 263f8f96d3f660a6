"""The HTTP side of `serve`: the standard library's threading server on 127.0.0.1.

Routes (nothing else is served, so no path can reach a file on disk):
  /                 the year's councils
  /<slug>           the council's letter, as HTML, with the live-reload script added
  /<slug>.pdf       the council's letter, rendered as PDF on request
  /_livereload      server-sent events telling open pages to reload
"""

from __future__ import annotations

import errno
import logging
import re
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from urllib.parse import parse_qs, urlsplit

from lgo_letters.errors import UsageError
from lgo_letters.project import Paths
from lgo_letters.schema.slugs import is_slug
from lgo_letters.serve.livereload import ENDPOINT, ReloadSignal, with_reload_script
from lgo_letters.serve.pages import internal_error_page
from lgo_letters.serve.site import HTML, LetterSite, Page
from lgo_letters.serve.watcher import Watcher

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
_LETTER_PATH = re.compile(r"/([^/]+?)(\.pdf)?")
# An open page's event stream sends a comment this often, which also notices closed tabs.
KEEPALIVE_SECONDS = 10.0
# A client that sends nothing (or a request only in part) for this long is disconnected, so
# half-sent requests cannot hold the server's threads open for ever.
CLIENT_TIMEOUT_SECONDS = 20.0
# What a page's address may name as its host: the loopback addresses, never another name.
# A page on another site cannot then read letters through a name that it points here
# (DNS rebinding): its requests carry its own host name and are refused.
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
_GENERATION = re.compile(r"[0-9]{1,18}")
# A client gone away mid-answer: nothing to report.
_CLIENT_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class _Handler(BaseHTTPRequestHandler):
    server: _LetterServer
    server_version = "lgo-letters"

    def setup(self) -> None:
        self.timeout = self.server.client_timeout  # applied to the socket by setup()
        super().setup()

    def _host_allowed(self) -> bool:
        """Whether the Host header names this server by a loopback address and its port."""
        port = self.server.server_address[1]
        host = self.headers.get("Host", "")
        return host in {f"{name}:{port}" for name in _LOCAL_HOSTS} or (
            port == 80 and host in _LOCAL_HOSTS
        )

    def _refuse(self, status: int, message: str, allow: str | None = None) -> None:
        body = message.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if allow:
            self.send_header("Allow", allow)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def _not_allowed(self) -> None:
        self._refuse(405, "Only GET and HEAD are served here.\n", allow="GET, HEAD")

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _not_allowed

    def do_GET(self) -> None:
        if not self._host_allowed():
            self._refuse(
                403,
                "Letters are served only at http://127.0.0.1, localhost or [::1] "
                "with this server's port.\n",
            )
            return
        site = self.server.site
        url = urlsplit(self.path)
        if url.path == ENDPOINT:
            if self.command == "HEAD":
                self._refuse(200, "")
                return
            self._stream_reloads(parse_qs(url.query))
            return
        generation = self.server.signal.generation  # before rendering: a change after it reloads
        try:
            page = self._page(site, url.path)
        except Exception as error:  # the server must outlive any one page
            log.exception("serve: %s failed", url.path)
            page = Page(500, HTML, internal_error_page(f"{type(error).__name__}: {error}").encode())
        self._send(page, generation)

    @staticmethod
    def _page(site: LetterSite, path: str) -> Page:
        if path == "/":
            return site.index()
        match = _LETTER_PATH.fullmatch(path)
        if match and is_slug(match.group(1)):
            slug, pdf = match.groups()
            return site.pdf(slug) if pdf else site.letter(slug)
        return site.not_found("There is no such page.")

    def _send(self, page: Page, generation: int) -> None:
        body = page.body
        if page.content_type == HTML:
            body = with_reload_script(
                body.decode("utf-8"), self.server.signal.run, generation
            ).encode("utf-8")
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _stream_reloads(self, query: dict[str, list[str]]) -> None:
        signal = self.server.signal
        since_text = query.get("since", [""])[0]
        # A page from another run of the server (or a mangled address) reloads at once.
        same_run = query.get("run", [""])[0] == signal.run and bool(
            _GENERATION.fullmatch(since_text)
        )
        since = int(since_text) if same_run else -1
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            while not signal.closed:
                generation = signal.wait_past(since, KEEPALIVE_SECONDS)
                if generation is None:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    self.wfile.write(f"data: {generation}\n\n".encode("ascii"))
                    self.wfile.flush()
                    return
                self.wfile.flush()
        except _CLIENT_GONE:
            return  # the page was closed

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged: the terminal shows changes and problems instead."""


class _LetterServer(ThreadingHTTPServer):
    daemon_threads = True
    client_timeout = CLIENT_TIMEOUT_SECONDS

    def __init__(self, port: int, site: LetterSite, signal: ReloadSignal):
        self.site = site
        self.signal = signal
        super().__init__((HOST, port), _Handler)

    def handle_error(self, request: socket.socket | tuple, client_address: object) -> None:
        """A client that went away or stalled is not an error; anything else is shown."""
        error = sys.exc_info()[1]
        if isinstance(error, _CLIENT_GONE):
            return
        log.exception("serve: a request from %s failed", client_address)


@dataclass(frozen=True)
class LiveServer:
    url: str
    site: LetterSite
    signal: ReloadSignal


@contextmanager
def serving(
    paths: Paths,
    year: int,
    port: int = 8000,
    on_change: Callable[[list[Path], LetterSite], None] | None = None,
    client_timeout: float = CLIENT_TIMEOUT_SECONDS,
) -> Iterator[LiveServer]:
    """Serve `year` on 127.0.0.1:`port` (0: any free port) while the block runs.

    On leaving the block, open event streams are released, the watcher stops and the
    server shuts down, whatever happened inside.
    """
    site = LetterSite(paths, year)
    signal = ReloadSignal()
    try:
        server = _LetterServer(port, site, signal)
        server.client_timeout = client_timeout
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {HOST} is in use: choose another with --port"
            ) from None
        raise

    def files_changed(changed: list[Path]) -> None:
        site.invalidate()
        signal.bump()
        if on_change is not None:
            on_change(changed, site)

    watcher = Watcher([paths.data / str(year), paths.templates], files_changed)
    thread = Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="lgo-letters-server",
        daemon=True,
    )
    try:
        thread.start()
        watcher.start()
        host, bound_port = server.server_address[:2]
        yield LiveServer(f"http://{host}:{bound_port}/", site, signal)
    finally:
        signal.close()
        watcher.stop(wait=False)  # winds down while the server does
        if thread.is_alive():
            server.shutdown()
        watcher.stop()
        server.server_close()
        thread.join(timeout=5)
