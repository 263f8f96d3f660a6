"""The PDF step, once: a letter's HTML laid out as a PDF, or why it could not be.

`preview`, `serve` (lgo_letters.letter.letter_pdf) and the build's and `check`'s worker
processes (layout/worker.py) all lay out letters here, so a PDF's fault is worded once.
This module is part of every PDF's input hash (lgo_letters/inputs.py: the engine).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lgo_letters.errors import LetterFailure, Problem

if TYPE_CHECKING:
    from lgo_letters.renderer.pdf import PdfRenderer


@dataclass(frozen=True)
class LetterPdf:
    pdf: bytes
    pages: int


def pdf_failure(slug: str, record_file: Path, reason: str) -> LetterFailure:
    """A letter whose PDF could not be made, located at its record."""
    return LetterFailure(slug, "pdf", (Problem(record_file, None, None, "", reason),))


def render_letter_pdf(
    renderer: PdfRenderer, slug: str, record_file: Path, document: str, stylesheet: str | None
) -> LetterPdf | LetterFailure:
    """The letter's `document` (HTML without its stylesheet) laid out as a PDF; any fault of
    the layout costs this letter only."""
    try:
        pdf, pages = renderer.render_counted(document, stylesheet)
    except Exception as error:  # any failure is this letter's alone
        reason = f"PDF rendering failed: {type(error).__name__}: {error}"
        return pdf_failure(slug, record_file, reason)
    return LetterPdf(pdf, pages)
