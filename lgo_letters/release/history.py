"""data/<year>/approvals-log.yaml: every approval and unapproval, as it was made.

approvals.yaml holds what is approved now; this log keeps how it came to be: who approved
or unapproved which letter, when, the letter's sha256 as approved, from where (the review
desk of `serve --review`, or the command line) and, for an unapproval, why. It only grows:
each entry is appended under the year's folder lock by the function that appends to
sent.yaml (ledgers.append_to_log): the file rewritten whole and renamed into place, so a
crash leaves the old log or the new one.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Final, Literal

from pydantic import ValidationError

from lgo_letters.errors import InputError
from lgo_letters.release.ledgers import Sha256, _Entry, _read_document, append_to_log
from lgo_letters.schema.errors import problems_from_validation

HISTORY = "approvals-log.yaml"
Via = Literal["desk", "command line"]
DESK: Final = "desk"
COMMAND_LINE: Final = "command line"

_HEADER = """\
# Every approval and unapproval of the year's letters: who, when, the letter's sha256,
# from the review desk (`serve --review`) or the command line, and why a letter was
# unapproved. Appended as each is made; approvals.yaml holds what is approved now.
# Commit this file.
"""


class HistoryEntry(_Entry):
    action: Literal["approve", "unapprove"]
    council: str
    by: str
    at: str  # ISO 8601, UTC
    via: Via
    pdf_sha256: Sha256
    html_sha256: Sha256
    reason: str | None = None


class _Log(_Entry):
    log: list[HistoryEntry] | None = None


def load_history(year_dir: Path) -> list[HistoryEntry]:
    """Every entry, oldest first; raises InputError (file, line, field) for a damaged log."""
    file = year_dir / HISTORY
    if not file.exists():
        return []
    document = _read_document(file)
    try:
        return list(_Log.model_validate(document.data).log or [])
    except ValidationError as error:
        raise InputError(problems_from_validation(error, document, _Log)) from None


def append_history(year_dir: Path, entries: Iterable[HistoryEntry]) -> None:
    """Add entries to the end of the log at once, as sent.yaml's are (append_to_log: what
    was there is kept byte for byte, the entries go before a YAML end marker `...`)."""
    append_to_log(
        year_dir / HISTORY,
        "log",
        _HEADER,
        [entry.model_dump(exclude_none=True) for entry in entries],
        lambda: [entry.model_dump(exclude_none=True) for entry in load_history(year_dir)],
        flow=False,
    )


def approved_via(history: list[HistoryEntry], slug: str, html_sha256: str) -> str | None:
    """Where the approval of this very letter (its HTML's sha256) was last made; None when
    the log does not have it (approved before the log was kept)."""
    for entry in reversed(history):
        if entry.council == slug and entry.action == "approve":
            return entry.via if entry.html_sha256 == html_sha256 else None
    return None
