"""`lgo-letters preview YEAR SLUG`: one letter, written at once, its path printed.

With --png, each page of the PDF is also written as <slug>-page<N>.png beside it.
"""

from __future__ import annotations

import webbrowser
from pathlib import Path

from lgo_letters.commands.build import build_letters
from lgo_letters.output import write_atomic
from lgo_letters.project import Paths, check_year, prepare_year
from lgo_letters.report import err, out, print_problems


def run_preview(
    paths: Paths, year: int, slug: str, pdf: bool, open_browser: bool, png: bool = False
) -> int:
    templates = check_year(paths, year)
    prepared = prepare_year(paths, year, [slug], templates)
    print_problems(prepared.problems)
    if slug not in prepared.letters:
        return 1
    result = build_letters(paths, prepared, templates, "both" if pdf or png else "html")
    if result.failures:
        for failure in result.failures:
            err.print(failure, markup=False)
        return 1
    if png:
        pdf_file = next(f for f in result.written if f.suffix == ".pdf")
        result.written.extend(write_page_pngs(pdf_file))
    for file in result.written:
        out.print(str(file), markup=False)
    if open_browser:
        webbrowser.open(result.written[0].resolve().as_uri())
    return 0


def write_page_pngs(pdf_file: Path) -> list[Path]:
    """<stem>-page1.png, -page2.png, … beside the PDF; pages left from a longer render go."""
    # Imported here so an HTML-only preview does not pay for PDFium and Pillow.
    from lgo_letters.renderer.raster import page_images, page_png_name, png_bytes

    written = []
    for number, image in enumerate(page_images(pdf_file), start=1):
        file = pdf_file.with_name(page_png_name(pdf_file.stem, number))
        write_atomic(file, png_bytes(image))
        written.append(file)
    number = len(written) + 1
    while (stale := pdf_file.with_name(page_png_name(pdf_file.stem, number))).exists():
        stale.unlink()
        number += 1
    return written
