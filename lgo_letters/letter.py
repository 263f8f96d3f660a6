"""The one way to get a council's letter: prepared year → HTML → PDF, or a located failure.

Whether a letter can be made is decided here, once (`cannot_make`, then `make_letter`):
`build`, `status` and every command that acts on letters (release.state), the review desk,
the live preview (`serve`), `preview` and `check` all ask these two functions. Whatever goes
wrong while making one letter (a problem in its record or in year.yaml, any exception from a
template, any exception while laying out its PDF) comes back as the one failure type,
errors.LetterFailure, each of its problems located by file, line and field: it costs that
letter only, never the rest of the run. The PDF step itself is lgo_letters.layout.step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lgo_letters.context import LetterContext
from lgo_letters.errors import LetterFailure, Problem, TemplateError
from lgo_letters.layout.step import LetterPdf, render_letter_pdf
from lgo_letters.project import PreparedYear
from lgo_letters.renderer.html import render_html, style_text, with_stylesheet
from lgo_letters.renderer.webfont import font_face_css

if TYPE_CHECKING:
    from lgo_letters.renderer.pdf import PdfRenderer


@dataclass(frozen=True)
class Letter:
    slug: str
    record_file: Path
    context: LetterContext
    document: str  # the HTML the template made: images inline, no stylesheet
    stylesheet: str  # the CSS every letter of the year shares

    @property
    def html(self) -> str:
        """The letter as one self-contained HTML file: stylesheet, images and the font (each
        face it uses, subset to what it draws) inline."""
        fonts = font_face_css(self.document, self.stylesheet)
        return with_stylesheet(self.document, style_text(self.stylesheet), fonts)


def cannot_make(prepared: PreparedYear, slug: str) -> LetterFailure | None:
    """Why the council's letter cannot be made before any template runs (its record has
    problems, or the year's file has), or None when it can be rendered.

    `slug` must name a record of the year the year was prepared for (or one of its unpooled
    records); anything else is the caller's mistake (KeyError).
    """
    records = prepared.records
    if slug in records.failed:
        return LetterFailure(slug, "record", tuple(records.failed[slug]))
    if slug in prepared.letters:
        return None
    if records.year_record is not None or slug not in records.councils:
        raise KeyError(slug)  # not a council of the year, or not one it was prepared for
    year_problems = tuple(p for p in prepared.problems if p.file == records.year_file)
    if not year_problems:  # (the year's problems were found elsewhere: say where to look)
        year_problems = (Problem(records.year_file, None, None, "", "has problems"),)
    return LetterFailure(slug, "year", year_problems)


def make_letter(prepared: PreparedYear, slug: str) -> Letter | LetterFailure:
    """The council's letter as HTML, or why it cannot be made (see `cannot_make`; a
    template's fault is located at the template's file and line)."""
    failure = cannot_make(prepared, slug)
    if failure is not None:
        return failure
    context = prepared.letters[slug]
    try:
        document = render_html(prepared.templates, prepared.letter_format, context)
        stylesheet = prepared.templates.stylesheet()
    except TemplateError as error:
        return LetterFailure(slug, "template", (error.problem(),))
    return Letter(slug, prepared.record_file(slug), context, document, stylesheet)


def letter_pdf(letter: Letter, renderer: PdfRenderer) -> LetterPdf | LetterFailure:
    """The letter laid out as a PDF by the one PDF step (lgo_letters.layout.step)."""
    return render_letter_pdf(
        renderer, letter.slug, letter.record_file, letter.document, letter.stylesheet
    )
