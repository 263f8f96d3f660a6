"""`lgo-letters build YEAR`: every council's letter of a year, as HTML and PDF."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from lgo_letters.output import write_atomic
from lgo_letters.project import Paths, PreparedYear, check_year, prepare_year
from lgo_letters.renderer import TemplateError, Templates, render_html
from lgo_letters.report import err, print_problems

FORMATS = ("html", "pdf", "both")


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def build_letters(
    paths: Paths, prepared: PreparedYear, templates: Templates, fmt: str = "both"
) -> BuildResult:
    """Render and write each prepared letter; a failing letter does not stop the others."""
    result = BuildResult()
    out_dir = paths.out / str(prepared.year)
    pdf = None
    if fmt in ("pdf", "both"):
        from lgo_letters.renderer.pdf import PdfRenderer

        pdf = PdfRenderer(paths.templates)
    for slug, letter in prepared.letters.items():
        try:
            html = render_html(templates, prepared.letter_format, letter)
        except TemplateError as error:
            result.failures.append(f"{slug}: {error}")
            continue
        files = []
        if fmt in ("html", "both"):
            write_atomic(out_dir / f"{slug}.html", html)
            files.append(out_dir / f"{slug}.html")
        if pdf is not None:
            write_atomic(out_dir / f"{slug}.pdf", pdf.render(html))
            files.append(out_dir / f"{slug}.pdf")
        result.written.extend(files)
        err.print(f"built {', '.join(map(str, files))}", markup=False)
    return result


def run_build(paths: Paths, year: int, only: list[str], fmt: str) -> int:
    started = time.perf_counter()
    templates = check_year(paths, year)
    prepared = prepare_year(paths, year, only, templates)
    result = build_letters(paths, prepared, templates, fmt)
    print_problems(prepared.problems)
    for failure in result.failures:
        err.print(failure, markup=False)
    built = len(prepared.letters) - len(result.failures)
    failed = len(result.failures) + len(prepared.records.failed)
    err.print(
        f"{year}: {built} letter(s) built, {failed} failed "
        f"({time.perf_counter() - started:.1f} s) in {paths.out / str(year)}",
        markup=False,
    )
    return 1 if prepared.problems or result.failures else 0
