"""Live reload: a change counter that open pages wait on through server-sent events.

Each served HTML page carries a tiny script holding the generation it was rendered at; the
script opens an EventSource on /_livereload?run=R&since=N and reloads the page when the
server says the files have changed since N. R names the server's run: a page that reconnects
to a restarted server (EventSource retries by itself) reloads at once. Nothing is added to
the letters written to disk.
"""

from __future__ import annotations

import re
import secrets
import threading

ENDPOINT = "/_livereload"

_SCRIPT = (
    "<script>/* lgo-letters serve: live reload */(function () {{"
    ' var source = new EventSource("{endpoint}?run={run}&since={generation}");'
    " source.onmessage = function () {{ source.close(); location.reload(); }};"
    "}})();</script>\n"
)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


class ReloadSignal:
    """A generation number, bumped once per batch of file changes, that threads can wait on."""

    def __init__(self) -> None:
        self.run = secrets.token_hex(6)
        self._generation = 0
        self._closed = False
        self._condition = threading.Condition()

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
            self._condition.notify_all()
            return self._generation

    def wait_past(self, since: int, timeout: float) -> int | None:
        """The generation once it is past `since`; None on timeout or when closed."""
        with self._condition:
            self._condition.wait_for(
                lambda: self._generation > since or self._closed, timeout=timeout
            )
            return self._generation if self._generation > since and not self._closed else None

    def close(self) -> None:
        """Release every waiting page stream, so the server can shut down."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()


def with_reload_script(html: str, run: str, generation: int) -> str:
    """The page with the reload script added just before its last </body> (or at the end)."""
    script = _SCRIPT.format(endpoint=ENDPOINT, run=run, generation=generation)
    ends = list(_BODY_END.finditer(html))
    if not ends:
        return html + script
    at = ends[-1].start()
    return html[:at] + script + html[at:]
