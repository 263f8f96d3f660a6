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


class _Handler(BaseHTTPRequestHandler):
    server: _LetterServer
    server_version = "lgo-letters"

    def do_GET(self) -> None:
        site = self.server.site
        url = urlsplit(self.path)
        if url.path == ENDPOINT:
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
        self.wfile.write(body)

    def _stream_reloads(self, query: dict[str, list[str]]) -> None:
        signal = self.server.signal
        since_text = query.get("since", [""])[0]
        # A page from another run of the server (or a mangled address) reloads at once.
        same_run = query.get("run", [""])[0] == signal.run and since_text.isdigit()
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
        except (BrokenPipeError, ConnectionResetError):
            return  # the page was closed

    def log_message(self, format: str, *args: object) -> None:
        """Requests are not logged: the terminal shows changes and problems instead."""


class _LetterServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, site: LetterSite, signal: ReloadSignal):
        self.site = site
        self.signal = signal
        super().__init__((HOST, port), _Handler)


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
) -> Iterator[LiveServer]:
    """Serve `year` on 127.0.0.1:`port` (0: any free port) while the block runs.

    On leaving the block, open event streams are released, the watcher stops and the
    server shuts down, whatever happened inside.
    """
    site = LetterSite(paths, year)
    signal = ReloadSignal()
    try:
        server = _LetterServer(port, site, signal)
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
        kwargs={"poll_interval": 0.1},
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
        watcher.stop()
        if thread.is_alive():
            server.shutdown()
        server.server_close()
        thread.join(timeout=5)
