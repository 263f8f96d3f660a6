"""`lgo-letters validate [YEAR ...]`: check every record and report every problem at once."""

from __future__ import annotations

from lgo_letters.errors import UsageError
from lgo_letters.project import Paths, prepare_year, year_templates
from lgo_letters.report import err, print_problems, print_warnings


def run_validate(paths: Paths, years: list[int], strict: bool = False) -> int:
    """Exit 1 on any problem; warnings (an incomplete year, pooled averages) are said, and
    fail only with `strict`."""
    years = years or paths.data_years()
    if not years:
        raise UsageError(f"no years in {paths.data}")
    problems = []
    warnings = []
    councils = 0
    # Every year's folders first: a year that cannot be checked at all stops the command
    # before any other is read (and before anything is kept in the records cache).
    templates = {year: year_templates(paths, year)[0] for year in years}
    for year in years:
        prepared = prepare_year(paths, year, templates=templates[year], cache=True)
        problems.extend(prepared.problems)
        warnings.extend(prepared.warnings)
        councils += len(prepared.records.councils) + len(prepared.records.failed)
    print_warnings(warnings, strict)
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
