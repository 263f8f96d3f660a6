"""Where a letter is on its way out, as one word: the review desk's states, in order.

Decided from the LetterState alone (record, build, approval, sent, published), so the
desk's index, its filters and its counts say the same as `status`: "sent but superseded"
is LetterState.superseded, the rule `status` and `send` use.
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
    SUPERSEDED: "sent, then corrected and approved again: --resend sends the correction",
    PUBLISHED: "published, exactly as built now",
}


def stage(letter: LetterState) -> str:
    """The one word for where `letter` stands."""
    if letter.problems:
        return FAILED
    if letter.draft:
        return DRAFT
    # Before published: a corrected letter not yet resent needs doing, published or not.
    if letter.superseded:
        return SUPERSEDED
    if letter.published:
        return PUBLISHED
    if letter.last_sent is not None:
        # Changed since it was sent, not approved again: like any approved letter that
        # changed (status says the same: "changed since approval", and "sent").
        return CHANGED if letter.approval is not None and letter.changes else SENT
    if letter.approval is not None:
        return APPROVED if letter.approved else CHANGED
    return BUILT_STAGE if letter.build == BUILT else NOT_BUILT
