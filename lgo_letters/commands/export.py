"""`lgo-letters export YEAR --to FILE`: the year's figures table as CSV, JSON or XLSX."""

from __future__ import annotations

from pathlib import Path

from lgo_letters.checking.compare import compare_years
from lgo_letters.errors import OutputError, UsageError
from lgo_letters.exchange.table import WRITERS, with_previous, write_table, year_table
from lgo_letters.manifest import Manifest
from lgo_letters.project import Paths, prepare_year
from lgo_letters.report import err, print_problems


def run_export(paths: Paths, year: int, target: Path, with_last_year: bool = False) -> int:
    if target.suffix.lower() not in WRITERS:
        raise UsageError(f"cannot export to {target}: the file must end in {', '.join(WRITERS)}")
    prepared = prepare_year(paths, year, cache=True)
    if prepared.problems:
        # A table with a council missing, or pooled averages without it, would be wrong.
        print_problems(prepared.problems)
        err.print(f"{year}: no table written: fix the problems above first", markup=False)
        return 1
    manifest = Manifest.load(paths.out / str(year), year)
    table = year_table(prepared, manifest)
    if with_last_year:
        comparison = compare_years(paths, year, current=prepared)
        previous = {
            c.slug: (c.previous_slug, {f.name: f.previous for f in c.figures})
            for c in comparison.councils
            if c.slug is not None
        }
        declared = prepared.letter_format.format.declared
        table = with_previous(table, declared, comparison.previous, previous)
    try:
        write_table(table, target)
    except OutputError as error:
        err.print(str(error), markup=False)
        return 1
    err.print(f"{year}: {len(table.rows)} council(s) → {target}", markup=False)
    return 0
