"""The connection to the mail server, within bounds.

A mail server, or anyone on the path before STARTTLS, can answer without end (an EHLO
reply of endless `250-` lines) or one byte at a time. smtplib bounds neither the number of
lines of a reply nor the time a reply takes (its timeout is per read), so the client here
does: a reply may have at most MAX_REPLY_LINES lines of at most MAX_LINE_BYTES each, and
every exchange has a deadline (`limit()`): connecting (with TLS and the login) has one,
and each message has one, from its MAIL FROM to the server's reply to its content. Every
read and write is given only the time left; what runs out, or past the bounds, closes the
connection and raises ExchangeAborted, saying which.
"""

from __future__ import annotations

import ipaddress
import math
import os
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from lgo_letters.errors import UsageError

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

PASSWORD_VARIABLE = "LGO_LETTERS_SMTP_PASSWORD"
STARTTLS, SSL, PLAIN = "starttls", "ssl", "none"
DEFAULT_TIMEOUT = 60.0  # seconds, per message (and for connecting)
MAX_REPLY_LINES = 100  # an EHLO reply has a dozen
MAX_LINE_BYTES = 8192  # smtplib's own limit on one line


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str = STARTTLS  # STARTTLS, SSL or PLAIN (localhost only)
    user: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT


def is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def smtp_settings(
    server: str,
    use_ssl: bool,
    no_tls: bool,
    user: str | None,
    timeout: float = DEFAULT_TIMEOUT,
) -> SmtpSettings:
    """--smtp HOST:PORT and its options, checked; the password comes from the environment."""
    host, colon, port = server.rpartition(":")
    host = host.strip("[]")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--smtp must be HOST:PORT, not '{server}'")
    if use_ssl and no_tls:
        raise UsageError("--ssl and --no-tls contradict each other")
    if no_tls and not is_local(host):
        raise UsageError(f"--no-tls sends in clear text: only to localhost, not to {host}")
    if not (math.isfinite(timeout) and timeout > 0):
        raise UsageError(f"--timeout must be a number of seconds above 0, not {timeout}")
    password = None
    if user is not None:
        password = os.environ.get(PASSWORD_VARIABLE)
        if not password:
            raise UsageError(
                f"--user {user} needs the password in the environment variable "
                f"{PASSWORD_VARIABLE} (never on the command line)"
            )
    security = SSL if use_ssl else PLAIN if no_tls else STARTTLS
    return SmtpSettings(host, int(port), security, user, password, timeout)


class ExchangeAborted(smtplib.SMTPServerDisconnected):
    """The server took too long or said too much: the connection is closed."""


class _TimedContext:
    """An SSL context whose TLS handshake gets only the time left to the deadline."""

    def __init__(self, context: ssl.SSLContext, client: BoundedClient):
        self.context = context
        self.client = client

    def wrap_socket(self, sock: socket.socket, **options: Any) -> ssl.SSLSocket:
        try:
            sock.settimeout(self.client.time_left())
            return self.context.wrap_socket(sock, **options)
        except TimeoutError:
            sock.close()
            self.client.abort(f"no TLS session within {self.client.seconds:g} s (--timeout)")
            raise  # not reached: abort raises
        except BaseException:
            sock.close()
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.context, name)


class BoundedClient(smtplib.SMTP):
    """smtplib's client with bounded replies and a deadline on every exchange."""

    _host: str  # smtplib's own attribute (the name TLS checks), not in typeshed

    def __init__(self, context: ssl.SSLContext, **options: Any):
        self.deadline = math.inf
        self.seconds = 0.0
        self.received = bytearray()  # what the server sent and no reply has taken yet
        # smtplib only calls the context's wrap_socket, which _TimedContext bounds in time.
        self.timed_context = cast(ssl.SSLContext, _TimedContext(context, self))
        super().__init__(**options)

    # -- the deadline ------------------------------------------------------------------
    def limit(self, seconds: float) -> None:
        """The next exchange (connecting; one message) must be over within `seconds`."""
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def out_of_time(self) -> str:
        return f"no complete reply from the server within {self.seconds:g} s (--timeout)"

    def time_left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.abort(self.out_of_time())
        return left

    def abort(self, why: str) -> None:
        self.close()
        raise ExchangeAborted(why)

    # -- smtplib's I/O, bounded ----------------------------------------------------------
    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        try:
            # smtplib's own (private) method, which typeshed does not list.
            return super()._get_socket(host, port, self.time_left())  # type: ignore[misc]
        except TimeoutError:
            self.abort(f"no connection to {host}:{port} within {self.seconds:g} s (--timeout)")
            raise  # not reached

    def send(self, s: ReadableBuffer | str) -> None:
        if not self.sock:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        data = s.encode(self.command_encoding) if isinstance(s, str) else s
        self.sock.settimeout(self.time_left())
        try:
            self.sock.sendall(data)  # the timeout bounds the whole of it
        except TimeoutError:
            self.abort(f"the server did not take the message within {self.seconds:g} s")
        except OSError as error:
            self.close()
            raise smtplib.SMTPServerDisconnected(f"the connection failed: {error}") from None

    def _read_line(self) -> bytes:
        while True:
            end = self.received.find(b"\n")
            if end >= 0:
                line = bytes(self.received[: end + 1])
                del self.received[: end + 1]
                break
            if len(self.received) > MAX_LINE_BYTES:
                self.abort(f"the server sent a reply line longer than {MAX_LINE_BYTES} bytes")
            assert self.sock is not None
            self.sock.settimeout(self.time_left())
            try:
                chunk = self.sock.recv(4096)
            except TimeoutError:
                self.abort(self.out_of_time())
            except OSError as error:
                self.close()
                raise smtplib.SMTPServerDisconnected(
                    f"Connection unexpectedly closed: {error}"
                ) from None
            if not chunk:
                self.close()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            self.received += chunk
        if len(line) > MAX_LINE_BYTES:
            self.abort(f"the server sent a reply line longer than {MAX_LINE_BYTES} bytes")
        return line

    def getreply(self) -> tuple[int, bytes]:
        """As smtplib's: (code, the reply's text lines joined), within the bounds."""
        if not self.sock:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        lines = []
        code = -1
        while True:
            line = self._read_line()
            lines.append(line[4:].strip(b" \t\r\n"))
            try:
                code = int(line[:3])
            except ValueError:
                code = -1
                break
            if line[3:4] != b"-":
                break
            if len(lines) >= MAX_REPLY_LINES:
                self.abort(
                    f"the server's reply runs past {MAX_REPLY_LINES} lines: not a reply a mail "
                    "server gives (a fault, or the connection was tampered with)"
                )
        return code, b"\n".join(lines)

    def starttls(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        reply = super().starttls(context=self.timed_context)
        # Anything sent before the handshake is not from the TLS session: never a reply.
        self.received.clear()
        return reply

    def close(self) -> None:
        self.received.clear()
        super().close()


class BoundedSMTP(BoundedClient):
    pass


class BoundedSMTPSSL(BoundedClient, smtplib.SMTP_SSL):
    """TLS from the first byte (port 465); the handshake within the deadline too."""

    def __init__(self, context: ssl.SSLContext, **options: Any):
        super().__init__(context, **options)
        self.context = self.timed_context  # what SMTP_SSL wraps its socket with


def connect(settings: SmtpSettings) -> BoundedClient:
    """Connected, TLS started (unless PLAIN), logged in: all within settings.timeout."""
    context = ssl.create_default_context()
    smtp: BoundedClient
    if settings.security == SSL:
        smtp = BoundedSMTPSSL(context, timeout=settings.timeout)
    else:
        smtp = BoundedSMTP(context, timeout=settings.timeout)
    smtp.limit(settings.timeout)
    smtp._host = settings.host  # what TLS checks the certificate against (smtplib sets it
    # only when connecting from its constructor, which would leave the deadline unset)
    try:
        code, greeting = smtp.connect(settings.host, settings.port)
        if code != 220:
            raise smtplib.SMTPConnectError(code, greeting)
        smtp.ehlo()
        if settings.security == STARTTLS:
            if not smtp.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError(
                    f"{settings.host}:{settings.port} does not offer STARTTLS "
                    "(--ssl for a TLS port; --no-tls only for localhost)"
                )
            smtp.starttls()
            smtp.ehlo()
        if settings.user:
            smtp.login(settings.user, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp
