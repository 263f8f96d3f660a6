"""`lgo-letters validate [YEAR ...]`: check every record and report every problem at once."""

from __future__ import annotations

from lgo_letters.errors import UsageError
from lgo_letters.project import Paths, prepare_year
from lgo_letters.report import err, print_problems


def run_validate(paths: Paths, years: list[int]) -> int:
    years = years or paths.data_years()
    if not years:
        raise UsageError(f"no years in {paths.data}")
    problems = []
    councils = 0
    for year in years:
        prepared = prepare_year(paths, year)
        problems.extend(prepared.problems)
        councils += len(prepared.records.councils) + len(prepared.records.failed)
    print_problems(problems)
    files = len({p.file for p in problems})
    if problems:
        err.print(
            f"{len(problems)} problem(s) in {files} file(s); {councils} record(s) checked",
            markup=False,
        )
        return 1
    err.print(f"all good: {councils} record(s) in {', '.join(map(str, years))}", markup=False)
    return 0
