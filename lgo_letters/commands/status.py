"""`lgo-letters status YEAR [--json | --csv] [--failed]`: where every council's letter stands."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass

from lgo_letters.context.numbers import counted
from lgo_letters.errors import Outcome, Result, UsageError
from lgo_letters.project import Paths
from lgo_letters.release.history import DESK, HistoryEntry, approved_via, load_history
from lgo_letters.release.state import LetterState, YearState, load_year_state
from lgo_letters.report import err, out, print_text
from lgo_letters.sheets.formulas import guard_formula

COLUMNS = (
    "council", "name", "record", "draft", "build", "approval", "approved_by",
    "approved_at", "approved_via", "changes", "address_changes", "address_conflicts",
    "sending", "sent_at", "sent_to", "message_id", "attempts", "last_attempt_at",
    "last_attempt_result", "last_reply", "published",
)  # fmt: skip

# Where a letter's sending stands (the `sending` column).
NOT_SENT, SENT, FAILED, SUPERSEDED = "not sent", "sent", "failed", "superseded"


def sending(letter: LetterState) -> str:
    """not sent; sent; failed (the last attempt, and none before it was sent); superseded
    (sent, and a corrected letter approved since)."""
    last = letter.last_attempt
    if last is None:
        return NOT_SENT
    if letter.superseded:
        return SUPERSEDED
    if letter.last_sent is not None:
        return SENT
    return FAILED


def to_retry(letter: LetterState) -> bool:
    """Its last attempt failed: `status --failed` lists it."""
    last = letter.last_attempt
    return last is not None and not last.sent


def letter_row(letter: LetterState, history: list[HistoryEntry]) -> dict[str, object]:
    approval, sent, last = letter.approval, letter.last_sent, letter.last_attempt
    if approval is None:
        approval_state = "not approved"
    else:
        approval_state = "approved" if letter.approved else "changed since approval"
    return {
        "council": letter.slug,
        "name": letter.name,
        "record": "; ".join(letter.problems) or "valid",
        "draft": letter.draft,
        "build": letter.build,
        "approval": approval_state,
        "approved_by": approval.by if approval else None,
        "approved_at": approval.at if approval else None,
        # desk, command line, or None: not in the approvals log (made before it was kept)
        "approved_via": approved_via(history, letter.slug, approval.html_sha256)
        if approval
        else None,
        "changes": list(letter.changes),
        "address_changes": letter.address_changes,
        "address_conflicts": list(letter.address_conflicts),
        "sending": sending(letter),
        "sent_at": sent.at if sent else None,
        "sent_to": [*sent.to, *sent.cc] if sent else [],
        "message_id": sent.message_id if sent else None,
        "attempts": len(letter.attempts),
        "last_attempt_at": last.at if last else None,
        "last_attempt_result": last.result if last else None,
        "last_reply": last.reply if last else None,
        "published": letter.published,
    }


def _sending_text(letter: LetterState) -> str:
    sent, last = letter.last_sent, letter.last_attempt
    if last is None:
        return "not sent"
    tries = f" ({len(letter.attempts)} attempts)" if len(letter.attempts) > 1 else ""
    failed = f"{last.at}: {last.reply or 'no reply kept'}"
    if sent is None:
        return f"not sent: last attempt failed {failed}{tries}"
    text = f"sent {sent.at} to {', '.join(sent.to + sent.cc)} ({sent.message_id})"
    if letter.superseded:
        text += ", superseded by a corrected letter"
    if not last.sent:
        text += f"; last attempt failed {failed}"
    return text + tries


def _line(letter: LetterState) -> str:
    parts = ["; ".join(letter.problems) or "valid"]
    if letter.draft:
        parts.append("draft")
    parts.append(letter.build)
    if letter.approval is None:
        parts.append("not approved")
    elif letter.approved:
        parts.append(f"approved ({letter.approval.by}, {letter.approval.at})")
    else:
        parts.append(f"changed since approval: {'; '.join(letter.changes)}")
    if letter.address_changes:
        parts.append(f"addresses changed since approval: {'; '.join(letter.address_changes)}")
    if letter.address_conflicts:
        parts.append(f"held back: {'; '.join(letter.address_conflicts)}")
    parts.append(_sending_text(letter))
    if letter.published:
        parts.append("published")
    return f"{letter.slug}: {' · '.join(parts)}"


def summary(state: YearState, rows: list[dict[str, object]]) -> str:
    # Each count in one pass over the rows (20,000 councils: a pass is a tenth of a second).
    tally: Counter[tuple[str, object]] = Counter()
    for row in rows:
        tally.update(
            [
                ("approval", row["approval"]),
                ("sending", row["sending"]),
                ("draft", row["draft"]),
                ("published", row["published"]),
                ("problems", row["record"] != "valid"),
                ("not approved", (row["approval"], row["draft"], row["record"])),
                ("unread", row["approval"] == "approved" and row["approved_via"] != DESK),
                ("sent", bool(row["sent_at"])),
            ]
        )
    parts = [f"{tally['approval', 'approved']} approved"]
    for label, number in (
        ("changed since approval", tally["approval", "changed since approval"]),
        ("not approved", tally["not approved", ("not approved", False, "valid")]),
        ("draft", tally["draft", True]),
        ("with problems", tally["problems", True]),
    ):
        if number:
            parts.append(f"{number} {label}")
    unread = tally["unread", True]
    if unread:
        parts[0] += f" ({unread} without being opened in the review desk)"
    tail = [f"{tally['sent', True]} sent"]
    for label, number in (
        ("superseded by a corrected letter", tally["sending", SUPERSEDED]),
        ("failed", tally["sending", FAILED]),
        ("published", tally["published", True]),
    ):
        if number:
            tail.append(f"{number} {label}")
    return f"{state.year}: {counted(len(rows), 'council')} — {', '.join(parts)}; {', '.join(tail)}"


def _retry_line(state: YearState, letter: LetterState) -> str:
    last = letter.last_attempt
    assert last is not None
    option = "--resend" if letter.last_sent is not None else "--only"
    tries = f" ({len(letter.attempts)} attempts)" if len(letter.attempts) > 1 else ""
    return (
        f"{letter.slug}: failed {last.at}: {last.reply or 'no reply kept'}{tries}; to retry: "
        f"lgo-letters send {state.year} {option} {letter.slug} --smtp …"
    )


def _csv_cell(value: object) -> object:
    """A cell as `export` writes one: lists joined, text guarded against formulas."""
    if isinstance(value, list):
        value = "; ".join(map(str, value))
    return guard_formula(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class StatusOptions:
    """`status`: as JSON or CSV (not both), and only the letters whose last sending failed."""

    as_json: bool = False
    as_csv: bool = False
    failed: bool = False

    def __post_init__(self) -> None:
        if self.as_json and self.as_csv:
            raise UsageError("give --json or --csv, not both")


def run_status(paths: Paths, year: int, options: StatusOptions) -> Result:
    as_json, as_csv, only_failed = options.as_json, options.as_csv, options.failed
    state = load_year_state(paths, year, render_all=False)
    history = load_history(state.year_dir)
    letters = [letter for letter in state.letters.values() if not only_failed or to_retry(letter)]
    rows = [letter_row(letter, history) for letter in letters]
    if as_json:
        every = [letter_row(letter, history) for letter in state.letters.values()]
        document = {"year": year, "summary": summary(state, every), "councils": rows}
        print(json.dumps(document, indent=1, ensure_ascii=False))
    elif as_csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _csv_cell(value) for key, value in row.items()})
        print(buffer.getvalue(), end="")
    elif only_failed:
        for letter in letters:
            out.print(_retry_line(state, letter), markup=False)
        err.print(f"{year}: {counted(len(letters), 'letter')} to send again", markup=False)
    else:
        # One print for all the lines: rich takes a tenth of a millisecond a call (2 s for
        # 20,000 councils), and the text is the same.
        lines = [_line(letter) for letter in letters]
        print_text(out, "\n".join([*lines, summary(state, rows)]))
    return Outcome.OK
