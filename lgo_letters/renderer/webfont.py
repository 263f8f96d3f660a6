"""The letter font for browsers: the bundled Source Sans Pro, subset and embedded in the HTML.

A browser has no Source Sans Pro of its own, so without this it draws the HTML letter in a
fallback (an Arial-like sans-serif). Each face the letter uses is subset to the characters
the letter draws, compressed as WOFF2 and embedded as a data: URL in an @font-face rule, so
the HTML file stays one self-contained file and looks like the PDF in any browser.

Only the HTML file carries these rules (lgo_letters.letter.Letter.html): WeasyPrint lays the
PDF out from the document and the stylesheet with the installed font files
(lgo_letters/fonts.py), so the PDF is the same, byte for byte.

Subsets are kept in memory for the process. Every letter keeps the whole of printable ASCII
(95 characters, almost all of which a letter's own text uses) and adds the other characters
it draws (an en dash, "ô", a typographic apostrophe), so the letters of a year share a
handful of subsets and a process makes each a few times, not once a letter: a face takes
about 0.1 s of CPU time (almost all of it WOFF2's compression), a letter whose subsets are
made costs nothing more.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import re
from dataclasses import dataclass

from lgo_letters.fonts import FACES, FAMILY, FontFace, font_file

# Kept in every subset: printable ASCII. What a letter draws beyond it is added character
# by character.
ALWAYS = "".join(chr(code) for code in range(0x20, 0x7F))

_TAG = re.compile(r"<[^>]*>")
# Text a stylesheet draws itself: content: "…" (or '…').
_CONTENT = re.compile(r"""content\s*:\s*(?:"([^"]*)"|'([^']*)')""")
# What a letter can set in italics: an element browsers set in italics, or a declaration.
_ITALIC_ELEMENT = re.compile(r"<(?:em|i|cite|var|dfn)[\s>]", re.IGNORECASE)
_ITALIC_STYLE = re.compile(r"italic|oblique", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class FaceRule:
    """One @font-face rule of the HTML letter: a face and its subset as WOFF2."""

    face: FontFace
    woff2: bytes

    @property
    def css(self) -> str:
        data = base64.b64encode(self.woff2).decode("ascii")
        return (
            f'@font-face {{ font-family: "{FAMILY}"; '
            f'src: url("data:font/woff2;base64,{data}") format("woff2"); '
            f"font-weight: {self.face.weight}; font-style: {self.face.style}; }}"
        )


def drawn_characters(document: str, stylesheet: str) -> str:
    """Every character the letter can draw: the text of its <body> (tags left out, entities
    read) and the text its stylesheet draws, with printable ASCII; sorted, each once."""
    start, end = document.find("<body"), document.rfind("</body>")
    body = document[start:end] if 0 <= start < end else document
    text = html.unescape(_TAG.sub("", body))
    characters = set(_CONTROL.sub("", text + _stylesheet_text(stylesheet))) | set(ALWAYS)
    return "".join(sorted(characters))


@functools.lru_cache(maxsize=8)
def _stylesheet_text(stylesheet: str) -> str:
    return "".join(a or b for a, b in _CONTENT.findall(stylesheet))


@functools.lru_cache(maxsize=8)
def _italic_style(stylesheet: str) -> bool:
    return _ITALIC_STYLE.search(stylesheet) is not None


def faces_used(document: str, stylesheet: str) -> tuple[FontFace, ...]:
    """The faces the letter can be drawn in: the upright ones always (text, semibold and
    bold headings and figures), the italic one only when something can be set in italics
    (an element browsers set in italics, or the word in the stylesheet or a style
    attribute)."""
    italic = (
        _italic_style(stylesheet)
        or _ITALIC_ELEMENT.search(document) is not None
        or "italic" in document
        or "oblique" in document
    )
    return tuple(face for face in FACES if face.style == "normal" or italic)


def font_face_css(document: str, stylesheet: str) -> str:
    """The rules as the text of a <style> element: one rule a line."""
    characters = drawn_characters(document, stylesheet)
    return _rules_css(characters, faces_used(document, stylesheet))


@functools.lru_cache(maxsize=64)
def _rules_css(characters: str, faces: tuple[FontFace, ...]) -> str:
    rules = (FaceRule(face, subset_woff2(face.file, characters)) for face in faces)
    return "\n" + "\n".join(rule.css for rule in rules) + "\n"


@functools.lru_cache(maxsize=64)
def subset_woff2(file: str, characters: str) -> bytes:
    """The bundled font file `file` subset to `characters`, as WOFF2.

    Subset by HarfBuzz (uharfbuzz, the subsetter WeasyPrint uses for the PDF's fonts, in a
    millisecond), keeping its default layout features (kerning, ligatures, marks: what a
    browser applies to running text); made WOFF2 by fontTools (with brotli). The same
    characters give the same bytes: the font's own timestamps are kept, never the clock's."""
    import uharfbuzz  # only HTML letters need these: keep `import` quick elsewhere
    from fontTools.ttLib import TTFont

    wanted = uharfbuzz.SubsetInput()
    wanted.unicode_set.update(map(ord, characters))
    subset = uharfbuzz.subset(uharfbuzz.Face(font_file(file).read_bytes()), wanted)
    font = TTFont(io.BytesIO(subset.blob.data), recalcTimestamp=False)
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


# What decides the embedded fonts' bytes, besides the characters: the font package, the
# subsetter and the WOFF2 writer and its compressor (all pinned).
WEBFONT_PACKAGES = ("font-source-sans-pro", "uharfbuzz", "fonttools", "brotli")
