"""Watching the year's records and the templates, one callback per burst of changes."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

log = logging.getLogger(__name__)

# A burst of saves (an editor writing several files, a `git checkout`) is one rebuild: changes
# are gathered until none has come for STEP_MS, or for at most DEBOUNCE_MS.
STEP_MS = 200
DEBOUNCE_MS = 1600


class Watcher:
    """Calls `on_change(changed paths)` from a background thread until stopped."""

    def __init__(self, folders: list[Path], on_change: Callable[[list[Path]], None]):
        self.folders = folders
        self.on_change = on_change
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lgo-letters-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        for changes in watchfiles.watch(
            *self.folders,
            debounce=DEBOUNCE_MS,
            step=STEP_MS,
            stop_event=self._stop,
            rust_timeout=500,
            raise_interrupt=False,
        ):
            try:
                self.on_change(sorted({Path(path) for _, path in changes}))
            except Exception:  # keep watching: the next save may well fix it
                log.exception("serve: reacting to a change failed")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
