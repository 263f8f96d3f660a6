"""`lgo-letters new-year YEAR --from PREVIOUS [--dry-run]`."""

from __future__ import annotations

from dataclasses import dataclass

from lgo_letters.errors import Outcome, Result
from lgo_letters.newyear import plan_new_year, write_new_year
from lgo_letters.project import Paths
from lgo_letters.report import out


@dataclass(frozen=True)
class NewYearOptions:
    """`new-year`: the year carried over (--from), and whether only to show what would be
    created."""

    previous: int
    dry_run: bool = False


def run_new_year(paths: Paths, year: int, options: NewYearOptions) -> Result:
    previous, dry_run = options.previous, options.dry_run
    plan = plan_new_year(paths.data, paths.templates, year, previous)
    if not dry_run:
        write_new_year(plan)
    verb = "would create" if dry_run else "created"
    out.print(f"{year} from {previous}: {verb} {len(plan.files)} file(s)", markup=False)
    for new in plan.files:
        origin = f"   (copy of {new.source})" if new.source else ""
        out.print(f"  {new.path}{origin}", markup=False)
    out.print("\nChecklist before the first golden check:", markup=False)
    for line in plan.checklist:
        out.print(f"  [ ] {line}", markup=False)
    return Outcome.OK
