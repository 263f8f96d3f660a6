"""`lgo-letters preview YEAR SLUG`: one letter, written at once, its path printed."""

from __future__ import annotations

import webbrowser

from lgo_letters.commands.build import build_letters
from lgo_letters.project import Paths, check_year, prepare_year
from lgo_letters.report import err, out, print_problems


def run_preview(paths: Paths, year: int, slug: str, pdf: bool, open_browser: bool) -> int:
    templates = check_year(paths, year)
    prepared = prepare_year(paths, year, [slug], templates)
    print_problems(prepared.problems)
    if slug not in prepared.letters:
        return 1
    result = build_letters(paths, prepared, templates, "both" if pdf else "html")
    if result.failures:
        for failure in result.failures:
            err.print(failure, markup=False)
        return 1
    for file in result.written:
        out.print(str(file), markup=False)
    if open_browser:
        webbrowser.open(result.written[0].resolve().as_uri())
    return 0
