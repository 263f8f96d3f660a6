"""Live reload: a change counter that open pages wait on through server-sent events.

Each served HTML page carries a tiny script holding the generation it was rendered at and
a digest of its own content; the script opens an EventSource on
/_livereload?run=R&since=N. When the files change past N the server sends the new
generation; the script fetches its page again and reloads only if the page's digest changed
(so a page whose content is as it was keeps its scroll position and anything typed in
it), then waits again. R names the server's run: a page that reconnects to a restarted
server (EventSource retries by itself) is sent a `reload` event and reloads at once, since
its forms carry the old server's token. Nothing is added to the letters written to disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import secrets
import threading
from collections.abc import Callable

ENDPOINT = "/_livereload"
# The header that carries a page's digest, for the script's comparison.
DIGEST_HEADER = "X-Page-Digest"

# Once a form is sent the page is leaving: it must not reload (a reload would cancel the
# form's own navigation, whose answer shows what the form did).
_SCRIPT = (
    "<script>/* lgo-letters serve: live reload */(function () {{"
    ' var first = "{endpoint}?run={run}&since={generation}", digest = "{digest}", since = null,'
    " source = null, leaving = false;"
    " function reload() {{ if (!leaving) {{ location.reload(); }} }}"
    ' addEventListener("submit", function () {{ leaving = true; source.close(); }});'
    " function listen() {{"
    " source = new EventSource(since === null ? first"
    ' : first.replace(/since=[0-9]+$/, "since=" + since));'
    ' source.addEventListener("reload", function () {{ source.close(); reload(); }});'
    " source.onmessage = function (event) {{ source.close(); since = parseInt(event.data, 10);"
    ' fetch(location.href, {{ cache: "no-store" }}).then(function (response) {{'
    ' if (response.headers.get("{header}") !== digest) {{ reload(); }}'
    " else if (!leaving) {{ listen(); }} }}, reload); }}; }}"
    " listen(); }})();</script>\n"
)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


class ReloadSignal:
    """A generation number, bumped once per batch of file changes, that threads and
    coroutines can wait on."""

    def __init__(self) -> None:
        self.run = secrets.token_hex(6)
        self._generation = 0
        self._closed = False
        self._condition = threading.Condition()
        # Coroutines waiting on the server's event loop: each wakes its own asyncio.Event
        # through call_soon_threadsafe, since bump() runs on the file watcher's thread.
        self._wakers: set[Callable[[], None]] = set()

    @property
    def generation(self) -> int:
        with self._condition:
            return self._generation

    @property
    def closed(self) -> bool:
        with self._condition:
            return self._closed

    def bump(self) -> int:
        with self._condition:
            self._generation += 1
            self._wake_all()
            return self._generation

    def _wake_all(self) -> None:
        self._condition.notify_all()
        for wake in list(self._wakers):
            wake()

    def _past(self, since: int) -> int | None:
        return self._generation if self._generation > since and not self._closed else None

    def wait_past(self, since: int, timeout: float) -> int | None:
        """The generation once it is past `since`; None on timeout or when closed."""
        with self._condition:
            self._condition.wait_for(
                lambda: self._generation > since or self._closed, timeout=timeout
            )
            return self._past(since)

    async def wait_past_async(self, since: int, timeout: float) -> int | None:
        """wait_past for a coroutine: the event loop is never blocked."""
        loop = asyncio.get_running_loop()
        woken = asyncio.Event()

        def wake() -> None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(woken.set)

        with self._condition:
            if self._generation > since or self._closed:
                return self._past(since)
            self._wakers.add(wake)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), timeout)
        finally:
            with self._condition:
                self._wakers.discard(wake)
        with self._condition:
            return self._past(since)

    def close(self) -> None:
        """Release every waiting page stream, so the server can shut down."""
        with self._condition:
            self._closed = True
            self._wake_all()


def page_digest(html: str) -> str:
    """What the reload script compares: the page as served, without the script."""
    return hashlib.sha256(html.encode("utf-8")).hexdigest()[:32]


def with_reload_script(html: str, run: str, generation: int) -> str:
    """The page with the reload script added just before its last </body> (or at the end)."""
    script = _SCRIPT.format(
        endpoint=ENDPOINT,
        run=run,
        generation=generation,
        digest=page_digest(html),
        header=DIGEST_HEADER,
    )
    ends = list(_BODY_END.finditer(html))
    if not ends:
        return html + script
    at = ends[-1].start()
    return html[:at] + script + html[at:]
