"""`lgo-letters approve YEAR SLUG ... | --all`, `lgo-letters unapprove YEAR SLUG ...` and
`lgo-letters review YEAR [SLUG]`."""

from __future__ import annotations

from lgo_letters.checking.compare import Flag, compare_years, previous_year
from lgo_letters.errors import InputError, UsageError
from lgo_letters.project import Paths, check_year
from lgo_letters.release.approval import (
    approve,
    approver_name,
    check_person_text,
    check_reason,
    text_changes,
    unapprove,
    year_lock,
)
from lgo_letters.release.history import HistoryEntry, load_history
from lgo_letters.release.state import YearState, year_state
from lgo_letters.report import err, out, print_problems


def load_state(paths: Paths, year: int, render_all: bool = True) -> YearState | None:
    """The year's state, or None after printing the problems of a damaged ledger or of
    year.yaml (without which no letter can be made)."""
    try:
        state = year_state(paths, year, render_all)
    except InputError as error:
        print_problems(error.problems)
        return None
    records = state.prepared.records
    if records.year_record is None:
        print_problems(p for p in state.prepared.problems if p.file == records.year_file)
        return None
    return state


def chosen(state: YearState, slugs: list[str]) -> list[str]:
    unknown = [slug for slug in slugs if slug not in state.letters]
    if unknown:
        raise UsageError(
            f"no council record for {', '.join(unknown)} in {state.year} "
            f"(valid: {', '.join(state.letters) or 'none'})"
        )
    return slugs


def _person(text: str, option: str) -> str:
    """--by (a name) or --reason, checked like a record's text: else a usage error."""
    try:
        return check_reason(text) if option == "--reason" else check_person_text(text, option)
    except ValueError as error:
        raise UsageError(str(error)) from None


def run_approve(paths: Paths, year: int, slugs: list[str], every: bool, by: str | None) -> int:
    if bool(slugs) == every:
        raise UsageError("name the councils to approve, or give --all (not both)")
    approver = _person(by or approver_name(), "--by")
    check_year(paths, year)
    with year_lock(paths.data / str(year)):  # the ledgers are read under the lock
        state = load_state(paths, year)
        if state is None:
            return 1
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
        err.print(f"{slug}: not approved: {reason}", markup=False)
    err.print(
        f"{year}: {len(report.approved)} approved, {len(report.unchanged)} already approved, "
        f"{len(report.refused)} refused",
        markup=False,
    )
    return 1 if report.refused else 0


def run_unapprove(paths: Paths, year: int, slugs: list[str], reason: str, by: str | None) -> int:
    """Withdraw approvals (until the letter is sent), with a reason kept in the history."""
    why = _person(reason, "--reason")
    person = _person(by or approver_name(), "--by")
    check_year(paths, year)
    with year_lock(paths.data / str(year)):
        state = load_state(paths, year)
        if state is None:
            return 1
        report = unapprove(state, chosen(state, slugs), person, why)
    for slug in report.approved:
        out.print(f"unapproved {slug}", markup=False)
    for slug, refused in report.refused.items():
        err.print(f"{slug}: not unapproved: {refused}", markup=False)
    return 1 if report.refused else 0


def history_line(entry: HistoryEntry) -> str:
    """One approval or unapproval, as `review` prints it and the desk shows it."""
    done = "approved" if entry.action == "approve" else "unapproved"
    line = f"{entry.at} {done} by {entry.by} ({entry.via}; HTML sha256 {entry.html_sha256[:12]}…)"
    return line + (f": {entry.reason}" if entry.reason else "")


def run_review(paths: Paths, year: int, slugs: list[str]) -> int:
    state = load_state(paths, year)
    if state is None:
        return 1
    try:
        history = load_history(state.year_dir)
    except InputError as error:
        print_problems(error.problems)
        return 1
    named = chosen(state, slugs)
    letters = [state.letters[s] for s in named] or list(state.letters.values())
    flags = year_on_year_flags(paths, state)
    changed = [letter for letter in letters if letter.approval is not None and letter.changes]
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
    unapproved = [letter.slug for letter in letters if letter.approval is None]
    err.print(
        f"{year}: {len(changed)} letter(s) changed since approval"
        + (f"; {len(unapproved)} never approved" if unapproved else ""),
        markup=False,
    )
    return 0


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
