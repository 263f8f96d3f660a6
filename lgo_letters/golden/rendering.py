"""One case rendered afresh, in the forms the golden files keep.

The letter's text one sentence a line, the normalised HTML, the PDF's sha256, the PDF's
text page by page and a small greyscale picture of each page. Each is made only when asked
for: when the sha256 matches the golden one, nothing else about the PDF needs looking at.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property

import pypdfium2
from PIL import Image, ImageOps

from lgo_letters.letter import Letter
from lgo_letters.renderer.html import style_text, with_stylesheet
from lgo_letters.renderer.raster import png_bytes
from lgo_letters.renderer.webfont import font_face_css
from lgo_letters.sentences import letter_text

# Pages are kept small: 0.4 of 72 dpi (239 by 337 pixels for A4) in 16 greys is enough to
# see a moved paragraph or a changed figure, at ~7 KB a page.
PAGE_SCALE = 0.4
PAGE_GREY_BITS = 4

_DATA_URI = re.compile(r"data:([\w.+/-]+);base64,([A-Za-z0-9+/=]+)")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)][.!?]) (?=[A-Z])")


def normalise_html(letter: Letter) -> str:
    """The letter's HTML file, laid out for readable diffs: one sentence a line, and each
    embedded file (data: URI: images, the font's faces) and the stylesheet shown as its
    sha256, so a change to them still shows, as one line (the page images show its effect;
    git shows the CSS).

    A line break between sentences is the same white space to a browser as a space.
    """

    def digest(match: re.Match[str]) -> str:
        payload = hashlib.sha256(match.group(2).encode("ascii")).hexdigest()
        return f"data:{match.group(1)};sha256={payload}"

    # The sha256 of the <style> element's text as the HTML file holds it.
    style = hashlib.sha256(style_text(letter.stylesheet).encode("utf-8")).hexdigest()
    fonts = font_face_css(letter.document, letter.stylesheet)
    html = with_stylesheet(letter.document, f"/* stylesheet sha256={style} */", fonts)
    html = _DATA_URI.sub(digest, html.replace("\r\n", "\n"))
    html = _SENTENCE_END.sub("\n", html)
    html = _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("", html))
    return html.strip("\n") + "\n"


def page_text(pages: list[str]) -> str:
    """The text of each page under a `=== page N ===` line, one file for the golden record."""
    parts = []
    for number, text in enumerate(pages, start=1):
        lines = [line.rstrip() for line in text.splitlines()]
        parts.append(f"=== page {number} ===\n" + "\n".join(line for line in lines if line))
    return "\n".join(parts) + "\n"


def pdf_pages_text(pdf: bytes) -> list[str]:
    """The text of each page, as PDFium (Chromium's PDF reader) extracts it."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = []
        for page in document:
            text_page = page.get_textpage()
            pages.append(text_page.get_text_range().replace("\r\n", "\n"))
            text_page.close()
            page.close()
        return pages
    finally:
        document.close()


@dataclass
class Rendering:
    """One case's letter, made afresh: its HTML file and its PDF."""

    letter: Letter
    pdf: bytes

    @cached_property
    def html(self) -> str:
        """The normalised HTML (a full record's letter.html)."""
        return normalise_html(self.letter)

    @cached_property
    def text(self) -> str:
        """The letter's words, one sentence a line (a brief record's text)."""
        # The document without its stylesheet: the same words, less to parse.
        return letter_text(self.letter.document)

    @cached_property
    def pdf_sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()

    @cached_property
    def pdf_text(self) -> str:
        return page_text(pdf_pages_text(self.pdf))

    @cached_property
    def page_images(self) -> list[Image.Image]:
        document = pypdfium2.PdfDocument(self.pdf)
        try:
            return [
                ImageOps.posterize(
                    page.render(scale=PAGE_SCALE, grayscale=True).to_pil().convert("L"),
                    PAGE_GREY_BITS,
                )
                for page in document
            ]
        finally:
            document.close()

    @cached_property
    def page_pngs(self) -> list[bytes]:
        return [png_bytes(image) for image in self.page_images]
