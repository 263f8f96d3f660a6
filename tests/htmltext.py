"""What HTML-to-text tools get from a page: its textContent (the text nodes joined as they
are, which is what textContent, `w3m -dump` of inline runs, and a plain-text email body
built by stripping tags give). Words of adjacent blocks must not run together there."""

from __future__ import annotations

from html.parser import HTMLParser

# Elements whose start and end are a boundary between blocks of text when displayed. The
# letters' stylesheet shows most spans as blocks (recipient lines, signatory lines, the
# statistics' figures), so every span counts as one: the stricter reading.
BLOCK_ELEMENTS = {"span",
    "address", "article", "aside", "blockquote", "body", "br", "dd", "div", "dl", "dt",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "section", "table", "td", "th", "tr", "ul",
}  # fmt: skip
_SKIPPED = {"script", "style", "title", "head", "svg"}


class _Boundaries(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.boundaries: list[int] = []  # offsets in the text where a block starts or ends
        self.skipping = 0

    def _boundary(self, tag: str) -> None:
        if tag in BLOCK_ELEMENTS:
            self.boundaries.append(sum(map(len, self.text)))

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.skipping += 1
        self._boundary(tag)

    def handle_startendtag(self, tag, attrs):
        self._boundary(tag)

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self.skipping -= 1
        self._boundary(tag)

    def handle_data(self, data):
        if not self.skipping:
            self.text.append(data)


def text_content(html: str) -> str:
    """The page's text nodes joined as they are (no white space added between blocks)."""
    parser = _Boundaries()
    parser.feed(html)
    return "".join(parser.text)


def glued_blocks(html: str) -> list[str]:
    """Every place where a word starts right after the text of another block, with no white
    space between them in the markup, as 'end of one|start of the next'. (Punctuation may
    follow a block: "Mr A</span>, Mrs B" reads the same either way.)"""
    parser = _Boundaries()
    parser.feed(html)
    text = "".join(parser.text)
    glued = []
    for offset in sorted(set(parser.boundaries)):
        if 0 < offset < len(text) and not text[offset - 1].isspace() and text[offset].isalnum():
            glued.append(f"{text[max(0, offset - 20) : offset]}|{text[offset : offset + 20]}")
    return glued
