"""`lgo-letters validate [YEAR ...]`: check every record and report every problem at once."""

from __future__ import annotations

from lgo_letters.checking.compare import compare_years, previous_year
from lgo_letters.errors import InputError, Problem, UsageError
from lgo_letters.project import Paths, PreparedYear, prepare_year, year_templates
from lgo_letters.release.addresses import address_warnings
from lgo_letters.report import err, print_problems, print_warnings


def run_validate(paths: Paths, years: list[int], strict: bool = False) -> int:
    """Exit 1 on any problem; warnings (an incomplete year, pooled averages, an address two
    councils share) are said, and fail only with `strict`."""
    years = years or paths.data_years()
    if not years:
        raise UsageError(f"no years in {paths.data}")
    problems: list[Problem] = []
    warnings: list[Problem] = []
    councils = 0
    flags: dict[int, int] = {}
    # Every year's folders first: a year that cannot be checked at all stops the command
    # before any other is read (and before anything is kept in the records cache).
    templates = {year: year_templates(paths, year)[0] for year in years}
    for year in years:
        prepared = prepare_year(paths, year, templates=templates[year], cache=True)
        problems.extend(prepared.problems)
        warnings.extend(prepared.warnings)
        year_record = prepared.records.year_record
        shared = year_record.shared_addresses if year_record else []
        warnings.extend(address_warnings(prepared.records.councils, shared))
        councils += len(prepared.records.councils) + len(prepared.records.failed)
        flags[year] = open_flags(paths, prepared)
    print_warnings(warnings, strict)
    code = _verdict(problems, warnings, councils, years, strict)
    for year, count in flags.items():
        if count:
            err.print(
                f"{count} year-on-year flag(s) to look at: `lgo-letters compare {year} --flagged`",
                markup=False,
            )
    return code


def open_flags(paths: Paths, prepared: PreparedYear) -> int:
    """How many of the year's changes since the previous year are flagged and not checked
    (0 when there is no previous year to compare with)."""
    if prepared.records.year_record is None or previous_year(paths, prepared.year) is None:
        return 0
    try:
        return len(compare_years(paths, prepared.year, current=prepared).open_flags)
    except (UsageError, InputError):  # the previous year cannot be read: said by validate
        return 0


def _verdict(
    problems: list[Problem], warnings: list[Problem], councils: int, years: list[int], strict: bool
) -> int:
    print_problems(problems)
    files = len({p.file for p in problems})
    said = f"; {len(warnings)} warning(s)" if warnings else ""
    if problems:
        err.print(
            f"{len(problems)} problem(s) in {files} file(s); {councils} record(s) checked{said}",
            markup=False,
        )
        return 1
    if strict and warnings:
        err.print(f"--strict: {len(warnings)} warning(s) fail the check", markup=False)
        return 1
    err.print(f"all good: {councils} record(s) in {', '.join(map(str, years))}{said}", markup=False)
    return 0
