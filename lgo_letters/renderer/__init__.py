"""Letter context → template → HTML → PDF."""

from typing import Any

from lgo_letters.renderer.html import TemplateError, render_html
from lgo_letters.renderer.templates import LetterFormat, Templates

__all__ = ["LetterFormat", "PdfRenderer", "TemplateError", "Templates", "render_html"]


def __getattr__(name: str) -> Any:
    # WeasyPrint takes half a second to import: only commands that write PDFs pay for it.
    if name == "PdfRenderer":
        from lgo_letters.renderer.pdf import PdfRenderer

        return PdfRenderer
    raise AttributeError(name)
