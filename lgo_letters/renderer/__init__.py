"""Letter context → template → HTML → PDF."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lgo_letters.renderer.html import TemplateError, render_html
from lgo_letters.renderer.templates import LetterFormat, Templates

if TYPE_CHECKING:
    from lgo_letters.renderer.pdf import PdfRenderer

__all__ = ["LetterFormat", "PdfRenderer", "TemplateError", "Templates", "render_html"]


def __getattr__(name: str) -> object:
    # WeasyPrint takes most of a second to import: only commands that write PDFs pay for it,
    # so `preview` of an HTML letter stays quick.
    if name == "PdfRenderer":
        from lgo_letters.renderer.pdf import PdfRenderer

        return PdfRenderer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
