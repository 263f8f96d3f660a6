"""`lgo-letters preview YEAR SLUG`: one letter, written at once, its path printed.

With --png, each page of the PDF is also written as <slug>-page<N>.png beside it.
"""

from __future__ import annotations

import webbrowser
from pathlib import Path

from lgo_letters.output import OutputError, ensure_output_folder, write_atomic
from lgo_letters.project import Paths, check_year, prepare_year
from lgo_letters.renderer import TemplateError, render_html
from lgo_letters.report import err, out, print_problems


def run_preview(
    paths: Paths, year: int, slug: str, pdf: bool, open_browser: bool, png: bool = False
) -> int:
    templates = check_year(paths, year)
    prepared = prepare_year(paths, year, [slug], templates)
    print_problems(prepared.problems)
    if slug not in prepared.letters:
        return 1
    try:
        html = render_html(templates, prepared.letter_format, prepared.letters[slug])
        written = write_letter(paths.out / str(year) / slug, html, pdf or png, paths.templates)
        if png:
            written.extend(write_page_pngs(written[-1]))
    except (TemplateError, OutputError) as error:
        err.print(f"{slug}: {error}", markup=False)
        return 1
    for file in written:
        out.print(str(file), markup=False)
    if open_browser:
        webbrowser.open(written[0].resolve().as_uri())
    return 0


def write_letter(stem: Path, html: str, pdf: bool, templates_dir: Path) -> list[Path]:
    """<stem>.html and, if asked, <stem>.pdf; their paths, HTML first."""
    ensure_output_folder(stem.parent)
    written = [stem.with_suffix(".html")]
    write_atomic(written[0], html)
    if pdf:
        from lgo_letters.renderer.pdf import PdfRenderer  # WeasyPrint: only when asked for

        written.append(stem.with_suffix(".pdf"))
        write_atomic(written[1], PdfRenderer(templates_dir).render(html))
    return written


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
