"""A letter's words, one sentence a line: what `review` compares, approval keeps and a
real council's golden record holds (release/ and golden/ share it)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose start or end separates blocks of text; a <span> is inline unless it is
# one of the letter's stacked lines (address lines, signatory lines).
_BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "li", "ul", "ol", "section", "article", "header",
    "footer", "address", "br", "tr", "td", "th", "table", "figure", "figcaption", "dt", "dd",
}  # fmt: skip
_SKIPPED = {"style", "script", "title", "head"}
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)%][.!?]) (?=[A-Z“‘\"'(])")
_SPACE = re.compile(r"\s+")


class _Blocks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = [""]
        self.skipping = 0
        self.hidden_depth = 0  # inside aria-hidden: decoration, not words

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        if tag in _BLOCKS or (tag == "span" and dict(attrs).get("class") != "name"):
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        if tag in _BLOCKS:
            self.blocks.append("")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.blocks[-1] += data


def letter_sentences(html: str) -> list[str]:
    """The letter's text as a list of sentences (headings and address lines are one each)."""
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    sentences = []
    for block in parser.blocks:
        text = _SPACE.sub(" ", block).strip()
        if text:
            sentences.extend(_SENTENCE_END.split(text))
    return sentences


def letter_text(html: str) -> str:
    return "".join(f"{sentence}\n" for sentence in letter_sentences(html))
