"""uvicorn's HTTP/1.1 protocol (h11) with one addition: a whole request within a deadline.

uvicorn closes a connection that stays idle between requests (`timeout_keep_alive`), but
not one that is slow *inside* a request: a client that sends one byte of its header every
few seconds, or a body that never ends, holds the connection open for ever, and enough of
them hold every connection the machine allows. `serve` promises that a request (its
request line, headers and body) arrives whole within `request_timeout` seconds of its
first byte, or of the connection being opened; otherwise the connection is closed. The
answer may take as long as it needs (a PDF being laid out, a page waiting for reload
events): only the client's side is timed.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

# The client's request is incomplete: it has sent nothing yet for this cycle (IDLE, its
# bytes perhaps half a request line) or its headers but not all of its body (SEND_BODY).
_RECEIVING = (h11.IDLE, h11.SEND_BODY)


class DeadlineProtocol(H11Protocol):
    """H11Protocol that closes a connection whose request is not whole within the deadline.

    The deadline starts when the connection is made (a client that connects and sends
    nothing) and, on a kept-alive connection, at the first byte of each further request
    (until then uvicorn's own keep-alive timeout applies). It ends when h11 has the whole
    request. The deadline is `request_timeout` on the class: `serving()` makes a subclass
    with its own value.
    """

    request_timeout: float = 20.0
    _deadline: asyncio.TimerHandle | None = None

    # As uvicorn's H11Protocol declares it (a narrower transport than asyncio's protocol).
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)  # may answer, start the next cycle, or close
        if self.transport.is_closing():
            self._stop_deadline()
        elif self.conn.their_state in _RECEIVING:
            if self._deadline is None:  # the first byte of a request: its clock starts
                self._start_deadline()
        else:  # the whole request is here (or the client may send no more)
            self._stop_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_deadline()
        super().connection_lost(exc)

    def _start_deadline(self) -> None:
        self._deadline = self.loop.call_later(self.request_timeout, self._out_of_time)

    def _stop_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _out_of_time(self) -> None:
        self._deadline = None
        if self.conn.their_state in _RECEIVING and not self.transport.is_closing():
            self.transport.close()  # no answer: the client is not reading one either
