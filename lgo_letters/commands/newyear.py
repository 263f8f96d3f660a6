"""`lgo-letters new-year YEAR --from PREVIOUS [--dry-run]`."""

from __future__ import annotations

from lgo_letters.newyear import plan_new_year, write_new_year
from lgo_letters.project import Paths
from lgo_letters.report import out


def run_new_year(paths: Paths, year: int, previous: int, dry_run: bool) -> int:
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
    return 0
