"""Letter context → template → HTML → PDF.

The PDF side (renderer.pdf) imports WeasyPrint, which takes most of a second: import it
only where a PDF is made, so an HTML preview stays quick.
"""

from __future__ import annotations

from lgo_letters.renderer.html import TemplateError, render_html
from lgo_letters.renderer.templates import LetterFormat, Templates

__all__ = ["LetterFormat", "TemplateError", "Templates", "render_html"]
