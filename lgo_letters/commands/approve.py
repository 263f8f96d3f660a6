"""`lgo-letters approve YEAR SLUG ... | --all` and `lgo-letters review YEAR [SLUG]`."""

from __future__ import annotations

from lgo_letters.checking.compare import Flag, compare_years, previous_year
from lgo_letters.errors import InputError, UsageError
from lgo_letters.project import Paths
from lgo_letters.release.approval import approve, approver_name, text_changes
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


def run_approve(paths: Paths, year: int, slugs: list[str], every: bool, by: str | None) -> int:
    if bool(slugs) == every:
        raise UsageError("name the councils to approve, or give --all (not both)")
    state = load_state(paths, year)
    if state is None:
        return 1
    report = approve(
        state, list(state.letters) if every else chosen(state, slugs), by or approver_name()
    )
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


def run_review(paths: Paths, year: int, slugs: list[str]) -> int:
    state = load_state(paths, year)
    if state is None:
        return 1
    letters = [state.letters[s] for s in chosen(state, slugs)] or list(state.letters.values())
    flags = year_on_year_flags(paths, state)
    changed = [letter for letter in letters if letter.approval is not None and letter.changes]
    for letter in changed:
        assert letter.approval is not None
        out.print(
            f"== {letter.slug} ({letter.name}): approved by {letter.approval.by} at "
            f"{letter.approval.at}, changed since: {'; '.join(letter.changes)}",
            markup=False,
        )
        for flag in flags.get(letter.slug, []):
            out.print(f"year-on-year flag {flag.describe()}", markup=False)
        lines = text_changes(state, letter)
        for line in lines or ["(the text is the same; only how it is built changed)"]:
            out.print(line, markup=False)
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
