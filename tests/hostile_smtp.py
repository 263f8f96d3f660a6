"""Mail servers that misbehave, on 127.0.0.1, for the tests of `send`'s bounds: a plain
socket that answers one client as told, in a thread.

- `endless_ehlo`: answers EHLO with `250-` lines without end (as anyone on the path can,
  before STARTTLS);
- `drip`: answers normally until MAIL FROM, then sends its reply one byte at a time, never
  finishing the line.
Both stop on their own after a while (a bounded number of lines; DRIP_FOR seconds), so a
client that does not bound them ends the test with the wrong message instead of hanging.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

ENDLESS_LINES = 200_000  # a client that reads them all has not bounded the reply
DRIP_EVERY = 0.1  # seconds between two bytes: far less than any read timeout
DRIP_FOR = 20.0  # seconds, then the server gives up


@dataclass
class Conversation:
    """What the server saw of its client."""

    commands: list[str] = field(default_factory=list)
    lines_sent: int = 0
    bytes_dripped: int = 0
    client_left: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)


def _commands(conn: socket.socket, seen: Conversation) -> Iterator[str]:
    buffer = b""
    while True:
        while b"\r\n" not in buffer:
            chunk = conn.recv(4096)
            if not chunk:
                return
            buffer += chunk
        line, buffer = buffer.split(b"\r\n", 1)
        command = line.decode(errors="replace")
        seen.commands.append(command)
        yield command.split(" ", 1)[0].upper()


def endless_ehlo(conn: socket.socket, seen: Conversation) -> None:
    conn.sendall(b"220 127.0.0.1 ESMTP\r\n")
    for verb in _commands(conn, seen):
        if verb in ("EHLO", "HELO"):
            line = b"250-" + b"X" * 60 + b"\r\n"
            while seen.lines_sent < ENDLESS_LINES and not seen.stop.is_set():
                conn.sendall(line)
                seen.lines_sent += 1
            return
        conn.sendall(b"250 OK\r\n")


def drip(conn: socket.socket, seen: Conversation) -> None:
    conn.sendall(b"220 127.0.0.1 ESMTP\r\n")
    for verb in _commands(conn, seen):
        if verb == "EHLO":
            conn.sendall(b"250-127.0.0.1\r\n250 8BITMIME\r\n")
        elif verb == "MAIL":
            conn.sendall(b"2")
            ticks = int(DRIP_FOR / DRIP_EVERY)
            for _ in range(ticks):
                if seen.stop.wait(DRIP_EVERY):  # the server's pace, not the test's
                    return
                conn.sendall(b"5")
                seen.bytes_dripped += 1
            return
        else:
            conn.sendall(b"250 OK\r\n")


@contextmanager
def hostile_server(
    behaviour: Callable[[socket.socket, Conversation], None],
) -> Iterator[tuple[str, Conversation]]:
    """Listen on a free port of 127.0.0.1 for one client; yields (HOST:PORT, what it saw)."""
    listener = socket.create_server(("127.0.0.1", 0))
    seen = Conversation()

    def serve() -> None:
        with contextlib.suppress(OSError):
            conn, _ = listener.accept()
            with conn, contextlib.suppress(OSError):  # the client hung up: as it should
                behaviour(conn, seen)
        seen.client_left.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{listener.getsockname()[1]}", seen
    finally:
        seen.stop.set()
        listener.close()
        thread.join(timeout=30)
