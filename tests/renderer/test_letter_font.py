"""The HTML letter carries its font: the bundled Source Sans Pro, each face it uses subset to
what it draws and embedded as WOFF2 (renderer/webfont.py), so a browser draws it as the PDF
is drawn. The PDF never sees these rules: the golden files' pdf.sha256 did not change."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from lgo_letters.letter import Letter, make_letter
from lgo_letters.project import Paths, prepare_year
from lgo_letters.renderer.webfont import ALWAYS, faces_used, subset_woff2
from tests.records import council, write_council
from tests.textutil import html_text

_RULE = re.compile(
    r'@font-face \{ font-family: "Source Sans Pro"; '
    r'src: url\("data:font/woff2;base64,([A-Za-z0-9+/=]+)"\) format\("woff2"\); '
    r"font-weight: (\d+); font-style: (\w+); \}"
)
# The <style> element of the font rules, as Letter.html writes it.
_FONT_STYLE = re.compile(r"<style>\n@font-face.*?</style>\n", re.DOTALL)


def _letter(project: Path, record: dict, year: int = 2021) -> Letter:
    write_council(project, "testshire", record, year=year)
    paths = Paths(project / "data", project / "templates", project / "output")
    letter = make_letter(prepare_year(paths, year, ["testshire"]), "testshire")
    assert isinstance(letter, Letter), letter
    return letter


def embedded_faces(html: str) -> dict[tuple[int, str], bytes]:
    """(weight, style) → the WOFF2 file of each @font-face rule in the HTML."""
    return {
        (int(weight), style): base64.b64decode(data) for data, weight, style in _RULE.findall(html)
    }


def test_each_upright_face_is_embedded_as_woff2_subset_to_what_the_letter_draws(project: Path):
    letter = _letter(project, council(name="Cyngor Sir Ynys Môn", role="Prif Weithredwr"))
    html = letter.html

    faces = embedded_faces(html)
    # Text, semibold ("By email", the figures' nouns) and bold (headings, figures): no
    # template sets anything in italics, so the italic face is left out.
    assert sorted(faces) == [(400, "normal"), (600, "normal"), (700, "normal")]
    drawn = set(html_text(letter.document)) - {"\n", "\t"}
    for face, woff2 in faces.items():
        assert woff2[:4] == b"wOF2", face
        font = TTFont(io.BytesIO(woff2))
        assert font.flavor == "woff2"
        covered = {chr(code) for code in font.getBestCmap()}
        assert "ô" in covered  # the council's name
        assert drawn <= covered, (face, sorted(drawn - covered))
        # Nothing else: printable ASCII is always kept, whatever this letter draws.
        assert covered <= drawn | set(ALWAYS) | {"\xa0"}, (face, sorted(covered - drawn))
        assert "ŵ" not in covered  # in the font, not in the letter
    # Ascii and a few more characters: about 15 KB a face, not the font's 290 KB.
    assert all(len(woff2) < 20_000 for woff2 in faces.values())


def test_the_same_letter_gives_the_same_bytes_and_the_pdf_never_sees_the_font(project: Path):
    letter = _letter(project, council(name="Cyngor Sir Ynys Môn"))
    first = letter.html
    subset_woff2.cache_clear()  # made again, not remembered

    assert letter.html == first
    # WeasyPrint gets the document and the stylesheet: neither holds the embedded font.
    for laid_out in (letter.document, letter.stylesheet):
        assert "@font-face" not in laid_out and "data:font/" not in laid_out
    # The HTML file is the document with the font rules, then the stylesheet, in its head.
    head = first[: first.index("</head>")]
    assert head.index("@font-face") < head.index(letter.stylesheet)


def test_the_italic_face_only_when_something_can_be_set_in_italics():
    def styles(document: str, stylesheet: str = "") -> list[str]:
        return [f"{face.weight} {face.style}" for face in faces_used(document, stylesheet)]

    upright = ["400 normal", "600 normal", "700 normal"]
    assert styles("<body><p>Plain <strong>bold</strong></p></body>") == upright
    italic = ["400 normal", "400 italic", "600 normal", "700 normal"]
    assert styles("<body><p>An <em>emphasis</em></p></body>") == italic
    assert "400 italic" in styles("<body><p class=n>x</p></body>", ".n { font-style: italic }")


@pytest.mark.slow  # drives Chromium
def test_a_browser_draws_every_line_of_the_letter_in_the_bundled_font(
    project: Path, browser, tmp_path: Path
):
    html = _letter(project, council(name="Cyngor Sir Ynys Môn", draft=False)).html
    with_font = tmp_path / "letter.html"
    with_font.write_text(html, encoding="utf-8")
    without = tmp_path / "without-font.html"  # what a browser drew before: the control
    without.write_text(_FONT_STYLE.sub("", html, count=1), encoding="utf-8")
    assert "@font-face" not in without.read_text(encoding="utf-8")

    context = browser.new_context()
    try:
        page = context.new_page()
        drawn = {file.name: _fonts_drawn(context, page, file) for file in (with_font, without)}
        faces = page.evaluate("[...document.fonts].map(f => f.status)")
    finally:
        context.close()

    assert faces == []  # the control page declares no font
    fonts = drawn["letter.html"]
    assert len(fonts) > 40  # every element with text of its own: headings, panels, figures
    wrong = {where: used for where, used in fonts.items() if used - _BUNDLED}
    assert wrong == {}
    assert set().union(*fonts.values()) == _BUNDLED  # regular, semibold and bold all drawn
    # Without the rules, the same elements are drawn in a fallback font: the check can fail.
    assert all(not (used & _BUNDLED) for used in drawn["without-font.html"].values())


_BUNDLED = {
    ("SourceSansPro-Regular", True),
    ("SourceSansPro-Semibold", True),
    ("SourceSansPro-Bold", True),
}


def _fonts_drawn(context, page, file: Path) -> dict[str, set[tuple[str, bool]]]:
    """Each element with text of its own → the fonts Chromium drew that text in (PostScript
    name, whether a web font), as its DevTools protocol reports them."""
    page.goto(file.as_uri())
    statuses = page.evaluate(
        "document.fonts.ready.then(() => [...document.fonts].map(f => f.status))"
    )
    assert all(status == "loaded" for status in statuses), statuses
    cdp = context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "body *"})
        drawn = {}
        for number, node in enumerate(nodes["nodeIds"]):
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            if fonts:  # elements with no text of their own draw none
                described = cdp.send("DOM.describeNode", {"nodeId": node})["node"]
                drawn[f"{number}:{described['localName']}"] = {
                    (font["postScriptName"], font["isCustomFont"]) for font in fonts
                }
        return drawn
    finally:
        cdp.detach()
