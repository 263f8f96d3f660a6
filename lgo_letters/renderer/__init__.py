"""Letter context → template → HTML → PDF."""

from typing import TYPE_CHECKING

from lgo_letters.renderer.html import TemplateError, render_html
from lgo_letters.renderer.templates import LetterFormat, Templates

if TYPE_CHECKING:
    from lgo_letters.renderer.pdf import PdfRenderer

__all__ = ["LetterFormat", "PdfRenderer", "TemplateError", "Templates", "render_html"]


def __getattr__(name: str) -> object:
    # WeasyPrint takes about a second to import: only what writes PDFs pays for it.
    if name == "PdfRenderer":
        from lgo_letters.renderer.pdf import PdfRenderer

        return PdfRenderer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
