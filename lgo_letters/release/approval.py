"""Approving letters, and what changed in them since."""

from __future__ import annotations

import difflib
import getpass
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field

from lgo_letters.errors import UsageError
from lgo_letters.output import write_atomic
from lgo_letters.release.history import COMMAND_LINE, HistoryEntry, Via, append_history
from lgo_letters.release.ledgers import (
    Approval,
    approved_text_file,
    now_utc,
    write_approvals,
)
from lgo_letters.release.state import BUILT, NOT_BUILT, LetterState, YearState
from lgo_letters.schema.models import check_one_line
from lgo_letters.schema.text import (
    MAX_LINE_CHARACTERS,
    MAX_PARAGRAPH_CHARACTERS,
    forbidden_character,
)
from lgo_letters.sentences import letter_text

# What the desk says when the letter on disk is not the one its page showed.
CHANGED_WHILE_READING = "the letter changed while you were reading it: reload"


def check_person_text(text: str, limit: int = MAX_LINE_CHARACTERS, lines: bool = False) -> str:
    """A name (one line) or, with `lines`, a reason, as it will be kept: stripped, a
    browser's line breaks (CRLF) as \\n; ValueError saying what is wrong ("is empty",
    "holds the control character …"), checked like a record's text."""
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise ValueError("is empty")
    reason = forbidden_character(text)
    if reason is not None:
        raise ValueError(reason)
    if not lines:
        check_one_line(text)
    if len(text) > limit:
        raise ValueError(f"is {len(text):,} characters long (at most {limit:,})")
    return text


def check_reason(text: str) -> str:
    """Why an approval is withdrawn: a paragraph (ValueError as check_person_text)."""
    return check_person_text(text, MAX_PARAGRAPH_CHARACTERS, lines=True)


@dataclass
class ApprovalReport:
    approved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # already approved, as it is now
    refused: dict[str, str] = field(default_factory=dict)  # slug → why


def checked_approver(name: str) -> str:
    """`--by` as a name that approvals.yaml, status and the review desk can show: one line
    of text, no control characters, of a name's length (UsageError saying why not)."""
    try:
        return check_person_text(name)
    except ValueError as error:
        raise UsageError(f"--by {name!r}: {error}") from None


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
        return f"it has problems: {'; '.join(state.problems)}"
    if state.draft:
        return "it is a draft (draft: true in its record)"
    if state.build == NOT_BUILT:
        return "it is not built (PDF and HTML): build it first"
    if state.build != BUILT:
        return "it was built from other inputs than the current ones: build it again"
    return None


def approve(
    year: YearState,
    slugs: list[str],
    by: str,
    *,
    via: Via = COMMAND_LINE,
    shown: Mapping[str, str] | None = None,
) -> ApprovalReport:
    """Approve these letters as they are built now; a letter that cannot be is refused with
    its reason. Each approved letter's text is kept in approved/<slug>.txt, then
    approvals.yaml is rewritten once and each approval added to the history log.

    `shown` (the desk) maps a slug to the sha256 of the HTML its reader saw: a letter built
    differently since is refused (CHANGED_WHILE_READING). Call under release.lock.year_lock,
    with `year` read under it.
    """
    report = ApprovalReport()
    approvals = dict(year.approvals)
    at = now_utc()
    history: list[HistoryEntry] = []
    for slug in slugs:
        state = year.letters[slug]
        reason = why_not_approvable(state)
        if reason is None and shown is not None and shown.get(slug) != state.html_sha256:
            reason = CHANGED_WHILE_READING
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
        history.append(
            HistoryEntry(
                action="approve",
                council=slug,
                by=by,
                at=at,
                via=via,
                pdf_sha256=state.pdf_sha256,
                html_sha256=state.html_sha256,
            )
        )
        report.approved.append(slug)
    if report.approved:
        write_approvals(year.year_dir, approvals)
        append_history(year.year_dir, history)
    return report


def why_not_unapprovable(state: LetterState) -> str | None:
    """Why this letter's approval cannot be withdrawn: none, or the approved letter is sent."""
    approval = state.approval
    if approval is None:
        return "it is not approved"
    for message in state.sent:
        if message.pdf_sha256 == approval.pdf_sha256:
            return (
                f"it was sent as approved ({message.at}, {message.message_id}): "
                "a letter that has gone out stays approved"
            )
    return None


def unapprove(
    year: YearState, slugs: list[str], by: str, reason: str, *, via: Via = COMMAND_LINE
) -> ApprovalReport:
    """Withdraw these letters' approvals, with the reason kept in the history log. A letter
    is approved until it is sent: an approval the sent letter carries stays. Call under
    release.lock.year_lock, with `year` read under it."""
    report = ApprovalReport()
    approvals = dict(year.approvals)
    at = now_utc()
    history: list[HistoryEntry] = []
    for slug in slugs:
        state = year.letters[slug]
        refused = why_not_unapprovable(state)
        approval = approvals.get(slug)
        if refused is None and approval is None:  # withdrawn since `year` was read
            refused = "it is not approved"
        if refused is not None or approval is None:
            report.refused[slug] = refused or "it is not approved"
            continue
        del approvals[slug]
        history.append(
            HistoryEntry(
                action="unapprove",
                council=slug,
                by=by,
                at=at,
                via=via,
                pdf_sha256=approval.pdf_sha256,
                html_sha256=approval.html_sha256,
                reason=reason,
            )
        )
        report.approved.append(slug)
    if report.approved:
        write_approvals(year.year_dir, approvals)
        append_history(year.year_dir, history)
        for slug in report.approved:
            approved_text_file(year.year_dir, slug).unlink(missing_ok=True)
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
