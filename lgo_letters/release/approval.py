"""Approving letters, and what changed in them since."""

from __future__ import annotations

import difflib
import getpass
import subprocess
from dataclasses import dataclass, field

from lgo_letters.errors import UsageError
from lgo_letters.output import write_atomic
from lgo_letters.release.ledgers import (
    Approval,
    approved_text_file,
    load_approvals,
    now_utc,
    write_approvals,
)
from lgo_letters.release.state import BUILT, NOT_BUILT, LetterState, YearState
from lgo_letters.release.text import letter_text
from lgo_letters.schema.models import check_one_line
from lgo_letters.schema.text import MAX_LINE_CHARACTERS, forbidden_character


@dataclass
class ApprovalReport:
    approved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # already approved, as it is now
    refused: dict[str, str] = field(default_factory=dict)  # slug → why


def checked_approver(name: str) -> str:
    """`--by` as a name that approvals.yaml, status and the review desk can show: one line
    of text, no control characters, of a name's length (UsageError saying why not)."""
    text = name.strip()
    try:
        if not text:
            raise ValueError("is empty")
        reason = forbidden_character(text)
        if reason is not None:
            raise ValueError(reason)
        check_one_line(text)
        if len(text) > MAX_LINE_CHARACTERS:
            raise ValueError(f"is {len(text):,} characters long (at most {MAX_LINE_CHARACTERS})")
    except ValueError as error:
        raise UsageError(f"--by {name!r}: {error}") from None
    return text


def approver_name() -> str:
    """The git user name, else the login name."""
    try:
        name = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    return name or getpass.getuser()


def why_not_approvable(state: LetterState) -> str | None:
    if state.problems:
        return f"it has problems: {state.problems[0]}"
    if state.draft:
        return "it is a draft (draft: true in its record)"
    if state.build == NOT_BUILT:
        return "it is not built (PDF and HTML): build it first"
    if state.build != BUILT:
        return "it was built from other inputs than the current ones: build it again"
    return None


def approve(year: YearState, slugs: list[str], by: str) -> ApprovalReport:
    """Approve these letters as they are built now; a letter that cannot be is refused with
    its reason. Each approved letter's text is kept in approved/<slug>.txt, then
    approvals.yaml is rewritten once."""
    report = ApprovalReport()
    approvals = load_approvals(year.year_dir)
    at = now_utc()
    for slug in slugs:
        state = year.letters[slug]
        reason = why_not_approvable(state)
        if reason is not None:
            report.refused[slug] = reason
            continue
        if state.approved and not state.address_changes:
            report.unchanged.append(slug)
            continue  # approving again changes nothing: the first approval stands
        assert state.inputs and state.pdf_sha256 and state.html_sha256
        write_atomic(approved_text_file(year.year_dir, slug), letter_text(state.html))
        approvals[slug] = Approval(
            by=by,
            at=at,
            pdf_sha256=state.pdf_sha256,
            html_sha256=state.html_sha256,
            inputs=state.inputs,
            email=list(state.emails),
            cc=list(state.cc),
        )
        report.approved.append(slug)
    if report.approved:
        write_approvals(year.year_dir, approvals)
    return report


def text_changes(year: YearState, state: LetterState) -> list[str]:
    """The difference between the approved letter's text and the current one's, sentence
    by sentence, as unified-diff lines."""
    kept = approved_text_file(year.year_dir, state.slug)
    try:
        before = kept.read_text(encoding="utf-8").splitlines()
    except OSError:
        return [f"(the approved text {kept} is missing: no difference can be shown)"]
    if not state.html:
        return [f"(the letter cannot be made now: {'; '.join(state.problems)})"]
    after = letter_text(state.html).splitlines()
    return list(difflib.unified_diff(before, after, "approved", "now", n=1, lineterm=""))
