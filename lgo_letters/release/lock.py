"""One command at a time changes a year's ledgers: `approve`, `send` and `publish` each hold
the lock on data/<year>/ while they read the year's state and write to its ledgers
(approvals.yaml, sent.yaml, published.yaml), so none acts on what another is changing.
`import` takes the same lock (output.folder_lock on the same folder) to write records.

A second `send` stops at once (two people sending the same year is a mistake to be told
about); `approve` and `publish` wait for the holder to finish, then read everything afresh.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from lgo_letters.output import folder_lock

# The commands that change a year's ledgers, all under the same lock.
CHANGERS = ("import", "approve", "send", "publish")


def _either(commands: list[str]) -> str:
    return f"{', '.join(commands[:-1])} or {commands[-1]}" if len(commands) > 1 else commands[0]


def busy_message(command: str, year: int) -> str:
    others = _either([c for c in CHANGERS if c != command])
    return (
        f"another {command} of {year} is running (or another {others} of {year}): "
        "try again when it has finished"
    )


@contextlib.contextmanager
def year_lock(
    year_dir: Path,
    year: int,
    command: str,
    waiting: Callable[[str], None] | None = None,
    timeout: float | None = None,
) -> Iterator[None]:
    """Hold the year's lock for the block. Without `waiting`, a held lock is a UsageError
    (`busy_message`); with it, `waiting` is told (a line for the person) and the lock is
    waited for: for ever, or for `timeout` seconds (the review desk, which must answer)."""
    on_wait = None
    if waiting is not None:
        message = f"waiting for another {_either(list(CHANGERS))} of {year} to finish"

        def on_wait() -> None:
            waiting(message)

    with folder_lock(year_dir, busy_message(command, year), on_wait, timeout):
        yield
