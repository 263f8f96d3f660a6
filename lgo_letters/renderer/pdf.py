"""HTML letter → PDF, with WeasyPrint.

A PdfRenderer holds what is costly to set up (font configuration, parsed font CSS) so a
build makes one and reuses it for every letter.
"""

from __future__ import annotations

from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from lgo_letters.renderer.fonts import font_face_css


class PdfRenderer:
    def __init__(self, base_dir: Path):
        # Relative URLs in a letter (there should be none: it is self-contained) resolve here.
        self.base_url = base_dir.resolve().as_uri() + "/"
        self.font_config = FontConfiguration()
        self.font_css = CSS(string=font_face_css(), font_config=self.font_config)

    def render(self, html: str) -> bytes:
        document = HTML(string=html, base_url=self.base_url)
        return document.write_pdf(
            stylesheets=[self.font_css],
            font_config=self.font_config,
            # A content-derived /ID, so the same letter gives the same bytes.
            pdf_identifier=True,
        )
