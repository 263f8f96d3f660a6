"""Letters corrected after they went out: what changed, sentence by sentence.

The text of every letter that goes out (sent, or published) is kept in
data/<year>/released/<slug>.<first 16 hex digits of its PDF's sha256>.txt, one sentence a
line, so that when a corrected letter follows it (its record changed, it was rebuilt and
approved again) the sentences that changed can be named: in the covering email of the
correction (`letter.correction`), and in the website's corrections.csv.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
from collections.abc import Iterable
from pathlib import Path

from lgo_letters.context.letter import Correction, SentenceChange
from lgo_letters.output import write_atomic
from lgo_letters.release.ledgers import ChangedSentence, PublishedCorrection, SentMessage
from lgo_letters.release.state import LetterState
from lgo_letters.sheets.formulas import guard_formula

RELEASED = "released"
NOT_KEPT = "what changed is not known: the earlier letter's text was not kept"


def released_text_file(year_dir: Path, slug: str, pdf_sha256: str) -> Path:
    return year_dir / RELEASED / f"{slug}.{pdf_sha256[:16]}.txt"


def keep_released_text(year_dir: Path, slug: str, pdf_sha256: str, text: str) -> None:
    """Keep the text of a letter that went out (once: the same PDF, the same text)."""
    file = released_text_file(year_dir, slug, pdf_sha256)
    if not file.exists():
        write_atomic(file, text)


def released_text(year_dir: Path, slug: str, pdf_sha256: str) -> str | None:
    try:
        return released_text_file(year_dir, slug, pdf_sha256).read_text(encoding="utf-8")
    except OSError:
        return None


def sentence_changes(before: str, after: str) -> tuple[SentenceChange, ...]:
    """The sentences (one a line) that differ: changed ones paired, new and removed ones
    alone."""
    old, new = before.splitlines(), after.splitlines()
    changes: list[SentenceChange] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        removed, added = old[i1:i2], new[j1:j2]
        for index in range(max(len(removed), len(added))):
            changes.append(
                SentenceChange(
                    removed[index] if index < len(removed) else "",
                    added[index] if index < len(added) else "",
                )
            )
    return tuple(changes)


def _date(iso: str) -> dt.date:
    return dt.datetime.fromisoformat(iso).date()


def correction_of(year_dir: Path, previous: SentMessage, text_now: str, slug: str) -> Correction:
    """What the letter now corrects in the one `previous` sent."""
    before = released_text(year_dir, slug, previous.pdf_sha256)
    if before is None:
        return Correction(_date(previous.at), (), known=False)
    return Correction(_date(previous.at), sentence_changes(before, text_now))


def sending_correction(year_dir: Path, state: LetterState, text_now: str) -> Correction | None:
    """When this letter goes out again, what it corrects; None if it is the letter last sent
    (a plain resend) or was never sent."""
    if not state.superseded:
        return None
    previous = state.last_sent
    assert previous is not None
    return correction_of(year_dir, previous, text_now, state.slug)


def publication_correction(
    year_dir: Path, state: LetterState, published_sha256: str, text_now: str
) -> PublishedCorrection:
    """The entry for published.yaml when the published letter `published_sha256` is replaced
    by the approved one: dated when the correction was first sent, else approved."""
    assert state.approval is not None
    new_sha = state.approval.pdf_sha256
    sent = [a for a in state.sent if a.pdf_sha256 == new_sha]
    when = sent[0].at if sent else state.approval.at
    before = released_text(year_dir, state.slug, published_sha256)
    changes = () if before is None else sentence_changes(before, text_now)
    return PublishedCorrection(
        council=state.slug,
        date=_date(when),
        replaces=published_sha256,
        pdf_sha256=new_sha,
        changes=[ChangedSentence(before=c.before, after=c.after) for c in changes],
        known=before is not None,
    )


def _what_changed(entry: PublishedCorrection) -> str:
    if not entry.known:
        return NOT_KEPT
    said = []
    for change in entry.changes:
        before, after = change.before, change.after
        if before and after:
            said.append(f"“{before}” now reads “{after}”")
        elif after:
            said.append(f"added: “{after}”")
        else:
            said.append(f"removed: “{before}”")
    return "; ".join(said) or "no sentence changed (only how the letter is made)"


CORRECTIONS_COLUMNS = ("council", "letter", "date", "what_changed")


def corrections_csv(
    entries: Iterable[PublishedCorrection], names: dict[str, str], letter_names: dict[str, str]
) -> str:
    """corrections.csv: one row a correction, oldest first; text cells guarded against
    spreadsheets' formulas (as export's)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CORRECTIONS_COLUMNS)
    for entry in sorted(entries, key=lambda e: (e.date, e.council)):
        row = (
            names.get(entry.council, entry.council),
            letter_names.get(entry.council, ""),
            entry.date.isoformat(),
            _what_changed(entry),
        )
        writer.writerow([guard_formula(cell) for cell in row])
    return buffer.getvalue()
