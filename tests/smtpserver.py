"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records what it receives, for the tests
of `lgo-letters send`. It can refuse chosen recipients, drop the connection after a number
of messages, hold a message's reply until the test lets it go, offer SMTPUTF8, and ask for
a login."""

from __future__ import annotations

import asyncio
import email
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    at: float  # time.monotonic() when accepted
    content: bytes = b""  # as it came


@dataclass
class Recorder:
    """The server's handler: what a test sees of the mail that arrived."""

    refuse: set[str] = field(default_factory=set)
    drop_after: int | None = None  # close the connection at the MAIL of message n + 1
    # Hold the reply to the content of message n + 1 (it is received) until `release` is
    # set; `holding` is set once it is held.
    hold_after: int | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.drop_after is not None and len(self.received) >= self.drop_after:
            server.transport.close()  # as a server that goes away part way through
            return "421 4.3.0 closing"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # As a mail client stores it: line ends as this system's.
        content = envelope.original_content.replace(b"\r\n", b"\n")
        message = email.message_from_bytes(content, policy=default)
        with self.lock:
            self.received.append(
                Received(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    message,
                    time.monotonic(),
                    envelope.original_content,
                )
            )
            count = len(self.received)
        if self.hold_after is not None and count == self.hold_after + 1:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
        return f"250 2.0.0 Ok: queued as Q{count}"


class _AnyPort(Controller):
    """Listens on a free port chosen by the system (aiosmtpd 1.4 wants a fixed one)."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextmanager
def smtp_server(
    recorder: Recorder,
    login: tuple[str, str] | None = None,
    starttls: ssl.SSLContext | None = None,
    tls: ssl.SSLContext | None = None,
    smtputf8: bool = False,
) -> Iterator[tuple[str, Recorder]]:
    """Run the server on 127.0.0.1 for the block; yields (HOST:PORT, recorder).

    `starttls`: the server offers STARTTLS with this context and refuses mail without it;
    `tls`: the server speaks TLS from the first byte (as on port 465); `smtputf8`: it
    offers SMTPUTF8 (addresses whose part before the @ is not ASCII)."""
    options: dict = {"enable_SMTPUTF8": smtputf8}
    if starttls is not None:
        options.update(tls_context=starttls, require_starttls=True)
    if tls is not None:
        options.update(ssl_context=tls)
    if login is not None:

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = (
                isinstance(auth_data, LoginPassword)
                and (
                    auth_data.login.decode(),
                    auth_data.password.decode(),
                )
                == login
            )
            return AuthResult(success=ok)

        options.update(authenticator=authenticate, auth_require_tls=False, auth_required=True)
    controller = _AnyPort(recorder, hostname="127.0.0.1", port=0, **options)
    controller.start()
    try:
        yield f"127.0.0.1:{controller.port}", recorder
    finally:
        recorder.release.set()  # a held reply must not keep the server from stopping
        controller.stop()
