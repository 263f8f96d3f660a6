"""Watching the year's records and the templates, one callback per burst of changes."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

log = logging.getLogger(__name__)

# A burst of saves (an editor writing several files, a `git checkout`) is one rebuild: changes
# are gathered until none has come for STEP_MS, or for at most DEBOUNCE_MS (watchfiles'
# own defaults: a `git checkout` writes its files well within a step of each other).
STEP_MS = 50
DEBOUNCE_MS = 1600
# How long the watching thread waits for a change before it looks up (at the stop event, and
# the first time, to say it is watching); watchfiles looks once a step, so in effect the
# longer of this and the step: start() and stop() take about STEP_MS.
_WAKE_MS = 50
# Files whose changes say nothing about the letters: status's cache (the desk writes it) and
# the temporary files of an atomic write (the rename into place is seen as the change).
_IGNORED = re.compile(r"\.status-cache\.json|\..+\.lgo-letters-[a-z0-9_]{8}\.tmp")


class _Filter(watchfiles.DefaultFilter):
    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        return not _IGNORED.fullmatch(Path(path).name) and super().__call__(change, path)


class Watcher:
    """Calls `on_change(changed paths)` from a background thread until stopped.

    The folders are watched from the moment `start()` returns: it waits until watchfiles
    has set up its watches (its generator first comes back, empty-handed or with changes),
    so a file saved just after `start()` is never missed.
    """

    def __init__(
        self,
        folders: list[Path],
        on_change: Callable[[list[Path]], None],
        step_ms: int = STEP_MS,
        debounce_ms: int = DEBOUNCE_MS,
    ):
        self.folders = folders
        self.on_change = on_change
        self.step_ms = step_ms
        self.debounce_ms = debounce_ms
        self._stop = threading.Event()
        self._watching = threading.Event()
        self._failure: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="lgo-letters-watcher", daemon=True)

    def start(self, timeout: float = 30.0) -> None:
        self._thread.start()
        if not self._watching.wait(timeout):
            raise RuntimeError(f"the file watcher did not start within {timeout:.0f} s")
        if self._failure is not None:
            raise self._failure

    def _run(self) -> None:
        try:
            self._watch()
        except Exception as error:
            if self._watching.is_set():  # while serving: say so on the terminal
                log.exception("serve: the file watcher stopped")
            else:  # start() raises it
                self._failure = error
        finally:
            self._watching.set()  # never leave start() waiting

    def _watch(self) -> None:
        for changes in watchfiles.watch(
            *self.folders,
            debounce=self.debounce_ms,
            step=self.step_ms,
            stop_event=self._stop,
            watch_filter=_Filter(),
            rust_timeout=_WAKE_MS,
            yield_on_timeout=True,
            raise_interrupt=False,
        ):
            self._watching.set()
            if not changes:
                continue
            try:
                self.on_change(sorted({Path(path) for _, path in changes}))
            except Exception:  # keep watching: the next save may well fix it
                log.exception("serve: reacting to a change failed")

    def stop(self, wait: bool = True) -> None:
        """Stop watching; without `wait`, return at once (the thread ends within a step)."""
        self._stop.set()
        if wait and self._thread.is_alive():
            self._thread.join(timeout=5)
