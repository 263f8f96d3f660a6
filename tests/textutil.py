"""Text of rendered letters and of the seed letters, normalised for comparison."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pypdf

_BLOCK_TAGS = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "li",
    "ul",
    "section",
    "article",
    "header",
    "address",
    "span",
    "br",
    "text",
    "tr",
    "td",
    "table",
    "body",
}
_SKIP_TAGS = {"style", "script", "title", "head"}


# Spans of these classes are inline in letter.css; every other span is a block.
_INLINE_SPAN_CLASSES = {"name"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.spans_block: list[bool] = []  # for each open <span>: is it a block?

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_TAGS:
            self.skipping += 1
        if tag == "span":
            self.spans_block.append(dict(attrs).get("class") not in _INLINE_SPAN_CLASSES)
            if not self.spans_block[-1]:
                return
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS:
            self.skipping -= 1
        if tag == "span" and not self.spans_block.pop():
            return
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def html_text(html: str) -> str:
    """The visible text of an HTML letter, whitespace collapsed."""
    parser = _TextExtractor()
    parser.feed(html)
    return collapse("".join(parser.parts))


def pdf_pages(pdf: Path | bytes) -> list[str]:
    """Text of each PDF page, whitespace collapsed."""
    import io

    source = io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf
    return [collapse(page.extract_text() or "") for page in pypdf.PdfReader(source).pages]


def pdf_text(pdf: Path | bytes) -> str:
    return collapse(" ".join(pdf_pages(pdf)))


# The image description that stands in for the 2021 signature in the extracted seed.
_SIGNATURE_DESCRIPTION = re.compile(r"^A handwritten signature.*$", re.MULTILINE)


def seed_sentences(seed: str) -> list[str]:
    """The seed letter's sentences with the extraction marks removed (see seeds/README.md)."""
    text = _SIGNATURE_DESCRIPTION.sub("", seed)
    text = re.sub(r"^\|?\s*-*\s*(\|\s*-+\s*)+\|?\s*$", "", text, flags=re.MULTILINE)  # |--|--|
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](#)
    text = re.sub(r"</?(u|b|strong|em)>", "", text)  # inline marks
    text = re.sub(r"</?(p|ul|li)\b[^>]*>", "\n\n", text)  # table cells' paragraphs
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"^[ \t]*- ", "", text, flags=re.MULTILINE)  # - list items
    text = re.sub(r"^#+\s*", "", text, flags=re.MULTILINE)  # ## headings
    text = text.replace("**", "").replace("|", " ").replace("•", " ")
    sentences = []
    # Paragraphs first (blank lines), then sentences within them. A paragraph break in the
    # seed may be a page break mid-sentence; the only such break in the seeds (the 2020
    # letters) ends in "to", so only a paragraph ending in " to" is joined to the next one
    # (other paragraphs that end without a full stop, such as headings, stand alone).
    paragraphs = [collapse(p) for p in re.split(r"\n\s*\n", text) if collapse(p)]
    merged: list[str] = []
    for paragraph in paragraphs:
        if merged and merged[-1].endswith(" to"):
            merged[-1] += " " + paragraph
        else:
            merged.append(paragraph)
    for paragraph in merged:
        sentences.extend(s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", paragraph) if s)
    return sentences
