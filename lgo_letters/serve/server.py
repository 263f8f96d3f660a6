"""The server of `serve`: the Starlette application on uvicorn, on 127.0.0.1, in a thread.

`serving()` binds the socket itself (so a port in use is a usage error, and port 0 gives
its port at once), starts uvicorn on it in a background thread and the file watcher, and
returns only once both are running; leaving the block stops them.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn
from starlette.routing import BaseRoute

from lgo_letters.errors import UsageError
from lgo_letters.project import Paths
from lgo_letters.serve.app import letter_routes, make_app, not_found_route, page_route, reload_route
from lgo_letters.serve.guard import Guard
from lgo_letters.serve.livereload import ReloadSignal
from lgo_letters.serve.protocol import DeadlineProtocol
from lgo_letters.serve.site import LetterSite
from lgo_letters.serve.watcher import Watcher

if TYPE_CHECKING:  # the desk's modules are imported only with --review
    from lgo_letters.serve.review import Desk

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
# A request (request line, headers and body) must arrive whole within this many seconds of
# its first byte (or of the connection), so stalled or dripping clients cannot pile up.
CLIENT_TIMEOUT_SECONDS = 20.0
# An idle kept-alive connection is closed after this long (uvicorn's own timer).
KEEP_ALIVE_SECONDS = 5
# On leaving, requests still being answered get this long before they are cancelled.
_SHUTDOWN_SECONDS = 2


@dataclass(frozen=True)
class LiveServer:
    url: str
    site: LetterSite
    signal: ReloadSignal
    desk: Desk | None = None  # the review desk, with --review


class _Server(uvicorn.Server):
    """uvicorn's server, saying when it has started (or failed to) to the thread that waits."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets)
        finally:
            self.ready.set()


def _listening_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} on {HOST} is in use: choose another with --port"
            ) from None
        raise
    return sock


def _quiet_uvicorn() -> None:
    """uvicorn's start and stop messages are not for the terminal; its errors are."""
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)


@contextmanager
def serving(
    paths: Paths,
    year: int,
    port: int = 8000,
    on_change: Callable[[list[Path], LetterSite], None] | None = None,
    client_timeout: float = CLIENT_TIMEOUT_SECONDS,
    review: bool = False,
) -> Iterator[LiveServer]:
    """Serve `year` on 127.0.0.1:`port` (0: any free port) while the block runs; with
    `review`, the review desk too (the only way `serve` writes).

    On leaving the block, open event streams are released, the watcher stops and the
    server shuts down, whatever happened inside.
    """
    signal = ReloadSignal()
    folders = [paths.data / str(year), paths.templates]
    desk = None
    routes: list[BaseRoute] = [reload_route(signal)]
    writes = []
    if review:
        from lgo_letters.serve.desk_routes import desk_routes, write_paths
        from lgo_letters.serve.review import Desk

        desk = Desk(paths, year)
        site = LetterSite(paths, year, prepared_elsewhere=desk.prepared)
        routes += desk_routes(desk, site, signal)
        writes = write_paths()
        folders.append(desk.out_dir)  # a rebuild changes the letters' state
    else:
        site = LetterSite(paths, year)
        routes.append(page_route("/", lambda _request: site.index(), signal, "index"))
    routes += [*letter_routes(site, signal), not_found_route(site, signal)]

    # A subclass per server: the deadline is a class attribute uvicorn's factory cannot pass.
    protocol = type("Protocol", (DeadlineProtocol,), {"request_timeout": client_timeout})
    config = uvicorn.Config(
        Guard(make_app(routes), writes),
        http=protocol,
        ws="none",
        lifespan="off",
        log_config=None,
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=_SHUTDOWN_SECONDS,
    )
    _quiet_uvicorn()
    sock = _listening_socket(port)
    server = _Server(config)

    def files_changed(changed: list[Path]) -> None:
        site.invalidate()
        if desk is not None:
            desk.invalidate()
        signal.bump()
        if on_change is not None:
            on_change(changed, site)

    watcher = Watcher(folders, files_changed)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="lgo-letters-server", daemon=True
    )
    try:
        thread.start()
        server.ready.wait(timeout=30)
        if not server.started:
            raise RuntimeError("the web server did not start")
        watcher.start()
        bound_port = sock.getsockname()[1]
        yield LiveServer(f"http://{HOST}:{bound_port}/", site, signal, desk)
    finally:
        signal.close()  # open event streams end, so the server need not wait for them
        watcher.stop(wait=False)  # winds down while the server does
        server.should_exit = True
        thread.join(timeout=_SHUTDOWN_SECONDS + 5)
        watcher.stop()
        sock.close()
