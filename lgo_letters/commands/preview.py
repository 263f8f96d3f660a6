"""`lgo-letters preview YEAR SLUG`: one letter, written at once, its path printed.

With --png, each page of the PDF is also written as <slug>-page<N>.png beside it.
"""

from __future__ import annotations

import webbrowser
from pathlib import Path

from lgo_letters.checking.trace import trace_prepared, with_sources
from lgo_letters.errors import LetterFailure, OutputError
from lgo_letters.exchange.provenance import load_provenance
from lgo_letters.letter import letter_pdf, make_letter
from lgo_letters.output import ensure_output_folder, write_atomic
from lgo_letters.project import Paths, prepare_year
from lgo_letters.report import err, out, print_problems


def run_preview(
    paths: Paths,
    year: int,
    slug: str,
    pdf: bool,
    open_browser: bool,
    png: bool = False,
    sources: bool = False,
) -> int:
    prepared = prepare_year(paths, year, [slug])
    print_problems(prepared.problems)
    letter = make_letter(prepared, slug)
    if isinstance(letter, LetterFailure):
        if letter.kind not in ("record", "year"):  # those problems are printed above
            for reason in letter.reasons:
                err.print(f"{slug}: {reason}", markup=False)
        return 1
    stem = paths.out / str(year) / slug
    try:
        ensure_output_folder(stem.parent)
        written = [stem.with_suffix(".html")]
        write_atomic(written[0], letter.html)
        if pdf or png:
            from lgo_letters.renderer.pdf import PdfRenderer  # WeasyPrint: only when asked for

            made = letter_pdf(letter, PdfRenderer(paths.templates))
            if isinstance(made, LetterFailure):
                for reason in made.reasons:
                    err.print(f"{slug}: {reason}", markup=False)
                return 1
            written.append(stem.with_suffix(".pdf"))
            write_atomic(written[1], made.pdf)
        if png:
            written.extend(write_page_pngs(written[1]))
        if sources:
            # The letter beside where each figure came from: a page of its own, so the
            # letter's HTML (and so its PDF) is never touched by it.
            traced = trace_prepared(prepared, slug, load_provenance(paths.data / str(year)))
            page = stem.with_suffix(".sources.html")
            write_atomic(page, with_sources(letter.html, traced))
            written.append(page)
    except OutputError as error:
        err.print(f"{slug}: {error}", markup=False)
        return 1
    for file in written:
        out.print(str(file), markup=False)
    if open_browser:
        webbrowser.open(written[-1 if sources else 0].resolve().as_uri())
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
