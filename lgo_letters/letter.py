"""The one way to get a council's letter: prepared year → HTML → PDF, or a located failure.

`build`, `preview`, `serve` and `check` all make letters here, so whether a letter can be
made, and what it says, is decided once. Whatever goes wrong while making one letter (a
problem in its record or in year.yaml, any exception from a template, any exception while
laying out its PDF) comes back as a LetterFailure naming the file and line: it costs that
letter only, never the rest of the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from lgo_letters.context import LetterContext
from lgo_letters.errors import Problem, TemplateError
from lgo_letters.project import PreparedYear
from lgo_letters.renderer.html import render_html, style_text, with_stylesheet
from lgo_letters.renderer.webfont import font_face_css

if TYPE_CHECKING:
    from lgo_letters.renderer.pdf import PdfRenderer

# Why a letter could not be made: its record, the year's file, its template, its PDF.
FailureKind = Literal["record", "year", "template", "pdf"]


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


@dataclass(frozen=True)
class LetterFailure:
    slug: str
    kind: FailureKind
    problems: tuple[Problem, ...] = ()  # located problems of the record or year.yaml
    message: str = ""  # a template's or the PDF's fault, located as file:line: ...

    @property
    def reasons(self) -> tuple[str, ...]:
        return (self.message,) if self.message else tuple(map(str, self.problems))


@dataclass(frozen=True)
class LetterPdf:
    pdf: bytes
    pages: int


def make_letter(prepared: PreparedYear, slug: str) -> Letter | LetterFailure:
    """The council's letter as HTML, or why it cannot be made.

    `slug` must name a record of the year (or one of its unpooled records); anything else
    is the caller's mistake (KeyError).
    """
    records = prepared.records
    if slug in records.failed:
        return LetterFailure(slug, "record", tuple(records.failed[slug]))
    if slug not in prepared.letters:
        if slug not in records.councils and slug not in prepared.unpooled:
            raise KeyError(slug)
        year_problems = tuple(p for p in prepared.problems if p.file == records.year_file)
        return LetterFailure(slug, "year", year_problems)
    context = prepared.letters[slug]
    try:
        document = render_html(prepared.templates, prepared.letter_format, context)
        stylesheet = prepared.templates.stylesheet()
    except TemplateError as error:
        return LetterFailure(slug, "template", message=str(error))
    return Letter(slug, prepared.record_file(slug), context, document, stylesheet)


def letter_pdf(letter: Letter, renderer: PdfRenderer) -> LetterPdf | LetterFailure:
    """The letter laid out as a PDF; any fault of the layout costs this letter only."""
    try:
        pdf, pages = renderer.render_counted(letter.document, letter.stylesheet)
    except Exception as error:
        # Worded as a build reports a PDF its worker could not lay out (build/worker.py).
        reason = f"PDF rendering failed: {type(error).__name__}: {error}"
        return LetterFailure(letter.slug, "pdf", message=f"{letter.record_file}: {reason}")
    return LetterPdf(pdf, pages)
