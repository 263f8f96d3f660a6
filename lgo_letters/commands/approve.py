"""`lgo-letters approve YEAR SLUG ... | --all`, `lgo-letters unapprove YEAR SLUG ...` and
`lgo-letters review YEAR [SLUG]`."""

from __future__ import annotations

from dataclasses import dataclass

from lgo_letters.checking.compare import Flag, compare_years, previous_year
from lgo_letters.errors import InputError, Outcome, Result, UsageError
from lgo_letters.project import Paths, check_year
from lgo_letters.release.approval import (
    approve,
    approver_name,
    check_reason,
    checked_approver,
    text_changes,
    unapprove,
)
from lgo_letters.release.history import HistoryEntry, load_history
from lgo_letters.release.lock import year_lock
from lgo_letters.release.state import YearState, chosen, load_year_state
from lgo_letters.report import err, out


def _say(message: str) -> None:
    err.print(message, markup=False)


@dataclass(frozen=True)
class ApproveOptions:
    """`approve`: the councils named, or every letter (--all); who approves (--by)."""

    slugs: tuple[str, ...] = ()
    every: bool = False
    by: str | None = None

    def __post_init__(self) -> None:
        if bool(self.slugs) == self.every:
            raise UsageError("name the councils to approve, or give --all (not both)")


@dataclass(frozen=True)
class UnapproveOptions:
    """`unapprove`: the councils named, why (--reason) and who (--by)."""

    slugs: tuple[str, ...]
    reason: str
    by: str | None = None


@dataclass(frozen=True)
class ReviewOptions:
    """`review`: the councils named (none: every letter changed since approval)."""

    slugs: tuple[str, ...] = ()


def run_approve(paths: Paths, year: int, options: ApproveOptions) -> Result:
    slugs, every, by = list(options.slugs), options.every, options.by
    approver = checked_approver(by if by is not None else approver_name())
    check_year(paths, year)
    # Read and written under the year's lock: a second approve (or the review desk) waits,
    # then reads afresh.
    with year_lock(paths.data / str(year), year, "approve", waiting=_say):
        state = load_year_state(paths, year)
        report = approve(state, list(state.letters) if every else chosen(state, slugs), approver)
    flags = year_on_year_flags(paths, state)
    for slug in report.approved:
        out.print(f"approved {slug}", markup=False)
        for flag in (f for f in flags.get(slug, []) if f.is_open):
            err.print(
                f"{slug}: approved with an open year-on-year flag: {flag.describe()}", markup=False
            )
    for slug in report.unchanged:
        out.print(f"{slug}: already approved, unchanged", markup=False)
    for slug, reason in report.refused.items():
        _say(f"{slug}: not approved: {reason}")
    _say(
        f"{year}: {len(report.approved)} approved, {len(report.unchanged)} already approved, "
        f"{len(report.refused)} refused"
    )
    return Outcome.FAILED if report.refused else Outcome.OK


def run_unapprove(paths: Paths, year: int, options: UnapproveOptions) -> Result:
    """Withdraw approvals (until the letter is sent), with a reason kept in the history."""
    slugs, reason, by = list(options.slugs), options.reason, options.by
    try:
        why = check_reason(reason)
    except ValueError as error:
        raise UsageError(f"--reason {reason!r}: {error}") from None
    person = checked_approver(by if by is not None else approver_name())
    check_year(paths, year)
    with year_lock(paths.data / str(year), year, "approve", waiting=_say):
        state = load_year_state(paths, year)
        report = unapprove(state, chosen(state, slugs), person, why)
    for slug in report.approved:
        out.print(f"unapproved {slug}", markup=False)
    for slug, refused in report.refused.items():
        _say(f"{slug}: not unapproved: {refused}")
    return Outcome.FAILED if report.refused else Outcome.OK


def history_line(entry: HistoryEntry) -> str:
    """One approval or unapproval, as `review` prints it."""
    done = "approved" if entry.action == "approve" else "unapproved"
    line = f"{entry.at} {done} by {entry.by} ({entry.via}; HTML sha256 {entry.html_sha256[:12]}…)"
    return line + (f": {entry.reason}" if entry.reason else "")


def run_review(paths: Paths, year: int, options: ReviewOptions) -> Result:
    state = load_year_state(paths, year)
    history = load_history(state.year_dir)
    named = chosen(state, list(options.slugs))
    letters = [state.letters[s] for s in named] or list(state.letters.values())
    flags = year_on_year_flags(paths, state)
    changed = [letter for letter in letters if letter.approval is not None and letter.changes]
    readdressed = [letter for letter in letters if letter.address_changes]
    # Named letters are shown whatever their state; otherwise the changed ones.
    for letter in letters if named else changed:
        approval = letter.approval
        if approval is None:
            out.print(f"== {letter.slug} ({letter.name}): not approved", markup=False)
        elif not letter.changes:
            out.print(
                f"== {letter.slug} ({letter.name}): approved by {approval.by} at "
                f"{approval.at}, unchanged since",
                markup=False,
            )
        else:
            out.print(
                f"== {letter.slug} ({letter.name}): approved by {approval.by} at "
                f"{approval.at}, changed since: {'; '.join(letter.changes)}",
                markup=False,
            )
        for flag in flags.get(letter.slug, []):
            out.print(f"year-on-year flag {flag.describe()}", markup=False)
        if approval is not None and letter.changes:
            lines = text_changes(state, letter)
            for line in lines or ["(the text is the same; only how it is built changed)"]:
                out.print(line, markup=False)
        for entry in (e for e in history if e.council == letter.slug):
            out.print(f"   history: {history_line(entry)}", markup=False)
    for letter in readdressed:
        assert letter.approval is not None
        out.print(
            f"== {letter.slug} ({letter.name}): addresses changed since its approval by "
            f"{letter.approval.by} at {letter.approval.at}: {'; '.join(letter.address_changes)}",
            markup=False,
        )
    unapproved = [letter.slug for letter in letters if letter.approval is None]
    _say(
        f"{year}: {len(changed)} letter(s) changed since approval"
        + (f", {len(readdressed)} with addresses changed" if readdressed else "")
        + (f"; {len(unapproved)} never approved" if unapproved else "")
    )
    return Outcome.OK


def year_on_year_flags(paths: Paths, state: YearState) -> dict[str, list[Flag]]:
    """Each council's changes since last year that `compare` flags (none without a
    previous year)."""
    if previous_year(paths, state.year) is None:
        return {}
    try:
        comparison = compare_years(paths, state.year, current=state.prepared)
    except (UsageError, InputError):
        return {}
    return {c.key: c.flags for c in comparison.councils if c.flags}
