"""SIGINT and SIGTERM during a build: stop after the letters in hand; a second one forces."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class StopSignals:
    """Records the first stop signal; a second one raises KeyboardInterrupt (stop at once)."""

    def __init__(self) -> None:
        self.received: int | None = None

    def __call__(self) -> bool:
        """Whether a stop was asked for."""
        return self.received is not None

    def _handle(self, signum: int, _frame: object) -> None:
        if self.received is not None:
            raise KeyboardInterrupt
        self.received = signum

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # only the main thread may change signal handlers
            return
        signals = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self._handle) for sig in signals}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
