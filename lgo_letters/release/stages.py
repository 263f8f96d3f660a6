"""Where a letter is on its way out, as one word: the review desk's states, in order.

Decided from the LetterState alone (record, build, approval, sent, published), so the
desk's index, its filters and its counts say the same as `status`.
"""

from __future__ import annotations

from lgo_letters.release.state import BUILT, LetterState

FAILED = "failed"
DRAFT = "draft"
NOT_BUILT = "not built"
BUILT_STAGE = "built"
CHANGED = "changed since approval"
APPROVED = "approved"
SENT = "sent"
SUPERSEDED = "sent but superseded"
PUBLISHED = "published"

# In the order a letter goes through them (the desk's counts and filter show this order).
STAGES = (
    FAILED,
    DRAFT,
    NOT_BUILT,
    BUILT_STAGE,
    CHANGED,
    APPROVED,
    SENT,
    SUPERSEDED,
    PUBLISHED,
)
# What a reviewer has to look at: built and never approved, or changed since approval.
TO_REVIEW = (BUILT_STAGE, CHANGED)

DESCRIPTIONS = {
    FAILED: "the letter cannot be made: its record or a template has a problem",
    DRAFT: "the record says draft: true",
    NOT_BUILT: "not built from the current records and templates: build it",
    BUILT_STAGE: "built, waiting for approval",
    CHANGED: "approved once, but the letter has changed since",
    APPROVED: "approved, exactly as built now",
    SENT: "sent, exactly as built now",
    SUPERSEDED: "sent, but the letter has changed since: a correction to approve and resend",
    PUBLISHED: "published, exactly as built now",
}


def stage(letter: LetterState) -> str:
    """The one word for where `letter` stands."""
    if letter.problems:
        return FAILED
    if letter.draft:
        return DRAFT
    if letter.published:
        return PUBLISHED
    sent = letter.last_sent
    if sent is not None:
        current = letter.build == BUILT and sent.pdf_sha256 == letter.pdf_sha256
        return SENT if current else SUPERSEDED
    if letter.approval is not None:
        return APPROVED if letter.approved else CHANGED
    return BUILT_STAGE if letter.build == BUILT else NOT_BUILT
