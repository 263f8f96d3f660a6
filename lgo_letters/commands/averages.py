"""`lgo-letters averages YEAR`: each type's given and computed averages, side by side."""

from __future__ import annotations

from rich.table import Table

from lgo_letters.context.averages import pooled_averages
from lgo_letters.errors import Outcome, Result
from lgo_letters.project import Paths, prepare_year
from lgo_letters.report import out, print_problems
from lgo_letters.schema import AUTHORITY_TYPES


def _show(value: int | None) -> str:
    return "–" if value is None else f"{value}%"


def run_averages(paths: Paths, year: int) -> Result:
    prepared = prepare_year(paths, year)
    print_problems(prepared.problems)
    year_record = prepared.records.year_record
    if year_record is None:
        return Outcome.FAILED
    # Every rate the year's format declares (format.yaml `averages`), pooled by the same
    # function the letters use.
    rates = prepared.letter_format.format.declared.averages
    computed = pooled_averages((e.record for e in prepared.records.councils.values()), rates)
    table = Table(
        title=f"Similar-authority averages, {year} (given in year.yaml / computed from records)"
    )
    table.add_column("type")
    table.add_column("councils", justify="right")
    for rate in rates:
        table.add_column(f"{rate.replace('_', ' ')}\ngiven / computed", justify="right")
    table.add_column("used")
    for kind in AUTHORITY_TYPES:
        given = year_record.averages.get(kind)
        pooled = computed.get(kind)
        if given is None and pooled is None:
            continue
        cells = [
            f"{_show(getattr(given, r) if given else None)} / "
            f"{_show(pooled.rates[r] if pooled else None)}"
            for r in rates
        ]
        table.add_row(
            kind, str(pooled.councils if pooled else 0), *cells, "given" if given else "computed"
        )
    out.print(table)
    return Outcome.FAILED if prepared.problems else Outcome.OK
