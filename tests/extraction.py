"""Text as outside readers extract it from a PDF: poppler's pdftotext (default and -raw:
Evince, Okular, most scrapers and search indexers), PDFium (Chrome, pypdfium2) and pypdf.

A sentence is whole in a reader when it appears in that reader's text with runs of white
space collapsed: a line break inside a sentence is fine, a word from elsewhere or two
words glued together is not.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pypdf
import pypdfium2 as pdfium

from tests.textutil import collapse


def why_no_pdftotext() -> str | None:
    if shutil.which("pdftotext") is None:
        return (
            "poppler's pdftotext is not installed: run `make test` as root (it installs "
            "Debian's poppler-utils) or `sudo apt-get install poppler-utils`"
        )
    return None


def _pdftotext(pdf: Path, *options: str) -> str:
    result = subprocess.run(
        ["pdftotext", *options, "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout


def poppler_text(pdf: Path) -> str:
    return _pdftotext(pdf)


def poppler_raw_text(pdf: Path) -> str:
    return _pdftotext(pdf, "-raw")


def pdfium_text(pdf: Path) -> str:
    document = pdfium.PdfDocument(str(pdf))
    try:
        return "\n".join(page.get_textpage().get_text_bounded() for page in document)
    finally:
        document.close()


def pypdf_text(pdf: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(pdf).pages)


EXTRACTORS: dict[str, Callable[[Path], str]] = {
    "pdftotext": poppler_text,
    "pdftotext -raw": poppler_raw_text,
    "pdfium": pdfium_text,
    "pypdf": pypdf_text,
}


def broken_sentences(
    pdf: Path, sentences: list[str], reader: str, draft_mark: str = "DRAFT"
) -> list[str]:
    """The sentences that do not come out whole in `reader` (one of EXTRACTORS). DRAFT
    watermarks, which readers interleave with the page's text, are left out first."""
    words = collapse(EXTRACTORS[reader](pdf)).split(" ")
    text = " ".join(word for word in words if word != draft_mark)
    return [sentence for sentence in sentences if sentence not in text]


def why_reader_missing(reader: str) -> str | None:
    return why_no_pdftotext() if reader.startswith("pdftotext") else None


def statistics_sentences(letter_html: str) -> list[str]:
    """The sentences of a letter's statistics page (each paragraph, list item and count),
    from its HTML."""
    page = letter_html[letter_html.index('class="statistics-page"') :]
    blocks = re.findall(r"<(p|li)\b[^>]*>(.*?)</\1>", page, flags=re.DOTALL)
    sentences = []
    for _, body in blocks:
        text = collapse(html.unescape(re.sub(r"<[^>]+>", "", body)))
        sentences.extend(s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text) if s)
    return sentences
