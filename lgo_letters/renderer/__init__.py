"""Letter context → template → HTML → PDF."""

from lgo_letters.renderer.html import TemplateError, render_html
from lgo_letters.renderer.pdf import PdfRenderer
from lgo_letters.renderer.templates import LetterFormat, Templates

__all__ = ["LetterFormat", "PdfRenderer", "TemplateError", "Templates", "render_html"]
