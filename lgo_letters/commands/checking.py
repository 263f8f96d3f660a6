"""`lgo-letters trace YEAR SLUG` and `lgo-letters compare YEAR`: checking the figures."""

from __future__ import annotations

import csv
import io
import json

from lgo_letters.checking.compare import CouncilComparison, YearComparison, compare_years
from lgo_letters.checking.trace import trace_letter
from lgo_letters.project import Paths
from lgo_letters.report import err, out
from lgo_letters.schema.slugs import check_slugs
from lgo_letters.sheets.formulas import guard_formula


def run_trace(paths: Paths, year: int, slug: str, as_json: bool) -> int:
    check_slugs([slug])
    traced = trace_letter(paths, year, slug)
    if as_json:
        print(json.dumps([t.as_dict() for t in traced], ensure_ascii=False, indent=1))
        return 0
    for figure in traced:
        out.print(f"{figure.field} = {figure.value}: {figure.said}", markup=False)
    return 0


def _figures_line(council: CouncilComparison) -> str:
    shown = []
    for figure in council.figures:
        unit = "%" if figure.kind == "rate" else ""
        before = "–" if figure.previous is None else f"{figure.previous}{unit}"
        after = "–" if figure.current is None else f"{figure.current}{unit}"
        shown.append(f"{figure.name} {before} → {after}")
    return ", ".join(shown)


def _text(comparison: YearComparison, flagged: bool) -> None:
    for council in comparison.councils:
        if flagged and not council.flags:
            continue
        head = f"{council.key} ({council.name})"
        if council.status == "new":
            out.print(f"new: {head}: no record in {comparison.previous}", markup=False)
        elif council.status == "gone":
            out.print(f"gone: {head}", markup=False)
        else:
            renamed = (
                f" [was {council.previous_slug}]" if council.previous_slug != council.slug else ""
            )
            out.print(f"{head}{renamed}: {_figures_line(council)}", markup=False)
        for flag in council.flags:
            out.print(f"  flag {flag.describe()}", markup=False)


def _csv(comparison: YearComparison) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = comparison.figure_names()
    writer.writerow(
        [
            "slug",
            "previous_slug",
            "name",
            "code",
            "status",
            "matched_by",
            *(f"{n}_{y}" for n in names for y in (comparison.previous, comparison.year)),
            "open_flags",
            "checked_flags",
        ]
    )
    for council in comparison.councils:
        cells: list[object] = []
        for name in names:
            figure = council.figure(name)
            cells += [figure.previous, figure.current] if figure else [None, None]
        text = [council.slug, council.previous_slug, council.name, council.code]
        writer.writerow(
            [
                *(guard_formula(str(v)) if v is not None else "" for v in text),
                council.status,
                council.matched_by or "",
                *("" if v is None else v for v in cells),
                guard_formula("; ".join(f.describe() for f in council.flags if f.is_open)),
                guard_formula("; ".join(f.describe() for f in council.flags if not f.is_open)),
            ]
        )
    return buffer.getvalue()


def summary(comparison: YearComparison) -> str:
    by = {
        how: sum(1 for c in comparison.councils if c.matched_by == how)
        for how in ("code", "name", "slug")
    }
    new = sum(1 for c in comparison.councils if c.status == "new")
    gone = sum(1 for c in comparison.councils if c.status == "gone")
    matched = sum(by.values())
    flags = comparison.flags
    open_flags = len(comparison.open_flags)
    return (
        f"{comparison.year} against {comparison.previous}: {matched} council(s) in both "
        f"({by['code']} by code, {by['name']} by name, {by['slug']} by slug), {new} new, "
        f"{gone} gone; {open_flags} flag(s) open, {len(flags) - open_flags} checked"
        + (
            f"; not compared, invalid: {', '.join(comparison.left_out)}"
            if comparison.left_out
            else ""
        )
    )


def run_compare(
    paths: Paths, year: int, previous: int | None, flagged: bool, as_json: bool, as_csv: bool
) -> int:
    comparison = compare_years(paths, year, previous)
    councils = [c for c in comparison.councils if c.flags or not flagged]
    if as_json:
        document = {
            "year": comparison.year,
            "previous": comparison.previous,
            "checks": comparison.checks.model_dump(),
            "councils": [c.as_dict() for c in councils],
            "summary": summary(comparison),
        }
        print(json.dumps(document, ensure_ascii=False, indent=1))
    elif as_csv:
        shown = YearComparison(
            comparison.year,
            comparison.previous,
            comparison.checks,
            councils,
            comparison.counts,
            comparison.rates,
        )
        print(_csv(shown), end="")
    else:
        _text(comparison, flagged)
    err.print(summary(comparison), markup=False)
    return 0
