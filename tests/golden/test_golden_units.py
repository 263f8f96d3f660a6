"""The parts of `lgo-letters check` on their own: the HTML normaliser, the PDF-text layout
and the page-picture comparison."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from lgo_letters.golden.compare import Status, compare_brief
from lgo_letters.golden.pixels import compare_page, compare_pages
from lgo_letters.golden.rendering import Rendering, normalise_html, page_text
from lgo_letters.golden.store import BriefRecord, golden_slugs
from lgo_letters.letter import Letter, make_letter
from lgo_letters.project import Paths, prepare_year
from lgo_letters.renderer.raster import png_bytes
from tests.projects import make_project
from tests.records import council, write_council

# Normalising the HTML


@pytest.fixture(scope="module")
def a_letter(tmp_path_factory: pytest.TempPathFactory) -> Letter:
    """A real letter, made the one way letters are made; tests swap in their own HTML."""
    project = make_project(tmp_path_factory.mktemp("normalise"))
    write_council(project, "testshire", council())
    paths = Paths(project / "data", project / "templates", project / "output")
    letter = make_letter(prepare_year(paths, 2021, ["testshire"]), "testshire")
    assert isinstance(letter, Letter), letter
    return letter


# The <style> element of the letter's font, as normalised: one line a face.
_FONT_STYLE = re.compile(r"<style>\n(?:@font-face \{[^\n]*\}\n)+</style>\n")


def normalised(letter: Letter, body: str, stylesheet: str = "p {}") -> str:
    """normalise_html of `letter` with `body` as its document, between <head> and </html>,
    without the font's <style> element (test_the_real_letter... looks at it)."""
    document = f"<html><head></head>\n{body}\n</html>"
    text = normalise_html(replace(letter, document=document, stylesheet=stylesheet))
    return _FONT_STYLE.sub("", text, count=1)


def test_the_real_letter_is_its_html_file_one_sentence_a_line(a_letter: Letter) -> None:
    text = normalise_html(a_letter)
    assert text.endswith("</html>\n") and "\n\n\n" not in text
    assert "<style>/* stylesheet sha256=" in text
    assert ";base64," not in text  # every embedded image and font is shown by its sha256
    # The font: a <style> element of its own, one face a line, each by its sha256.
    fonts = _FONT_STYLE.search(text)
    assert fonts is not None
    faces = fonts.group(0).splitlines()[1:-1]
    assert len(faces) == 3
    assert all(re.search(r'url\("data:font/woff2;sha256=[0-9a-f]{64}"\)', f) for f in faces)
    sentences = [line for line in text.splitlines() if line.endswith(".") and " " in line]
    assert len(sentences) > 10


def test_each_sentence_is_a_line(a_letter: Letter) -> None:
    body = "<p>We upheld 2 complaints. This is 67% of those (2 of 3). I hope this helps!</p>"
    assert normalised(a_letter, body).splitlines()[2:5] == [
        "<p>We upheld 2 complaints.",
        "This is 67% of those (2 of 3).",
        "I hope this helps!</p>",
    ]


def test_a_sentence_ends_only_where_a_capital_follows(a_letter: Letter) -> None:
    body = "<p>Mrs Jolly. 31/03/20 to 1.5 cases. the end. Yes.</p>"
    # ". " after a lower-case letter, digit or ")" and before a capital ends a sentence.
    assert normalised(a_letter, body).splitlines()[2:4] == [
        "<p>Mrs Jolly. 31/03/20 to 1.5 cases. the end.",
        "Yes.</p>",
    ]


def test_embedded_files_and_the_stylesheet_are_shown_by_their_sha256(a_letter: Letter) -> None:
    payload = "iVBORw0KGgo="
    css = "p { color: #000; }"
    png = hashlib.sha256(payload.encode("ascii")).hexdigest()
    # The stylesheet's sha256 is that of the <style> element's text in the HTML file.
    sheet = hashlib.sha256(f"\n{css}\n".encode()).hexdigest()
    text = normalised(a_letter, f'<img src="data:image/png;base64,{payload}" alt="">', css)
    assert text.splitlines() == [
        f"<html><head><style>/* stylesheet sha256={sheet} */</style>",
        "</head>",
        f'<img src="data:image/png;sha256={png}" alt="">',
        "</html>",
    ]


def test_a_stylesheet_change_is_one_changed_line(a_letter: Letter) -> None:
    before = normalise_html(a_letter).splitlines()
    after = normalise_html(
        replace(a_letter, stylesheet=a_letter.stylesheet + "\n.x {}")
    ).splitlines()
    assert len(before) == len(after)
    assert len([1 for old, new in zip(before, after, strict=True) if old != new]) == 1


def test_line_ends_trailing_space_and_blank_runs_are_tidied(a_letter: Letter) -> None:
    body = "\r\n\r\n<p>One</p>   \r\n\r\n\r\n\r\n<p>Two</p>\t\r\n\r\n"
    assert normalised(a_letter, body).splitlines()[2:] == [
        "",
        "<p>One</p>",
        "",
        "<p>Two</p>",
        "",
        "</html>",
    ]


# The PDF's text


def test_page_text_heads_each_page_and_drops_blank_lines() -> None:
    pages = ["Dear Mrs Jolly  \n\nAnnual Review letter\n", "", "Yours sincerely,"]
    assert page_text(pages) == (
        "=== page 1 ===\nDear Mrs Jolly\nAnnual Review letter\n"
        "=== page 2 ===\n"
        "\n=== page 3 ===\nYours sincerely,\n"
    )


# Page pictures


def page(size: tuple[int, int] = (20, 10), ink: dict[tuple[int, int], int] | None = None):
    image = Image.new("L", size, 255)
    for xy, grey in (ink or {}).items():
        image.putpixel(xy, grey)
    return image


def test_identical_pages_match() -> None:
    assert compare_page(1, page(ink={(3, 4): 0}), page(ink={(3, 4): 0})) is None


def test_one_grey_step_is_a_change_and_is_marked_in_the_third_panel() -> None:
    change = compare_page(2, page(), page(ink={(5, 5): 239}))  # one step of 16 greys
    assert change is not None
    assert (change.page, change.share, change.percent) == (2, 1 / 200, "0.50%")
    width, height = 20, 10
    assert change.image.size[1] == height
    third = change.image.width - width  # the last panel starts here
    assert change.image.getpixel((third + 5, 5)) == (220, 0, 40)
    assert change.image.getpixel((third + 15, 5)) != (220, 0, 40)  # far from the change
    assert change.image.getpixel((5, 5)) == (255, 255, 255)  # the golden page, untouched


@pytest.mark.parametrize("side", ["golden", "current"])
def test_a_page_only_one_side_has_is_wholly_changed(side: str) -> None:
    pages = (
        {"golden": page(), "current": None}
        if side == "golden"
        else {"golden": None, "current": page()}
    )
    change = compare_page(3, pages["golden"], pages["current"])
    assert change is not None and change.share == 1.0


def test_pages_of_different_sizes_are_compared_on_the_larger_canvas() -> None:
    change = compare_page(1, page((20, 10)), page((20, 12)))
    assert change is None  # the extra rows are white on both canvases
    change = compare_page(1, page((20, 10)), page((20, 12), ink={(0, 11): 0}))
    assert change is not None and change.share == 1 / (20 * 12)


def test_compare_pages_reports_only_the_pages_that_differ() -> None:
    golden = [png_bytes(page()), None, png_bytes(page(ink={(1, 1): 0}))]
    current = [page(), page(), page(ink={(1, 1): 0}), page()]
    changes = compare_pages(golden, current)
    # page 2 has no golden picture (a missing file), page 4 is new
    assert [(c.page, c.share) for c in changes] == [(2, 1.0), (4, 1.0)]


# Brief records: a council's text and its PDF's sha256


def test_a_brief_record_is_its_sha256_a_blank_line_and_its_text() -> None:
    record = BriefRecord("Dear Ms Marshall\nAnnual Review letter 2020\n", "ab" * 32)
    content = record.content()
    assert (
        content
        == f"pdf sha256: {'ab' * 32}\n\nDear Ms Marshall\nAnnual Review letter 2020\n".encode()
    )
    assert BriefRecord.parse(content) == record
    # A file not in the format keeps its text and no sha256, so it differs and shows why.
    assert BriefRecord.parse(b"Dear Ms Marshall\n") == BriefRecord("Dear Ms Marshall\n", "")


def test_a_brief_record_compares_text_and_sha256(a_letter: Letter) -> None:
    rendering = Rendering(a_letter, b"%PDF-1.7 made up")
    assert rendering.text.splitlines()[:2] == [
        "Local Government & Social Care OMBUDSMAN",
        "21 July 2021",
    ]
    same = BriefRecord(rendering.text, rendering.pdf_sha256)
    assert compare_brief("2021/testshire", rendering, same).status is Status.MATCH
    assert compare_brief("2021/testshire", rendering, None).status is Status.NEW

    edited = BriefRecord(rendering.text.replace("21 July 2021", "22 July 2021"), same.pdf_sha256)
    result = compare_brief("2021/testshire", rendering, edited)
    assert result.status is Status.CHANGED and not result.pdf_differs
    assert result.report()[:5] == [
        "CHANGED  2021/testshire",
        "  Text differs:",
        "    --- golden/2021/testshire.txt",
        "    +++ current/2021/testshire.txt",
        "    @@ -1,3 +1,3 @@",
    ]
    assert "    -22 July 2021" in result.report() and "    +21 July 2021" in result.report()

    other_pdf = BriefRecord(rendering.text, "0" * 64)
    result = compare_brief("2021/testshire", rendering, other_pdf)
    assert result.status is Status.CHANGED and result.pdf_differs
    assert result.report() == [
        "CHANGED  2021/testshire",
        "  PDF differs from its sha256 (its text does not)",
    ]


def test_golden_slugs_are_brief_files_and_full_folders_not_the_cases(tmp_path: Path) -> None:
    for name in ("ashby.txt", "README.txt", "settings.yaml", "notes.md"):
        (tmp_path / name).write_text("x")
    for folder, files in {
        "carrow": ["pdf.sha256"],
        "cases": ["pdf.sha256", "x.yaml"],
        "empty": [],
        "other": ["notes.md"],
    }.items():
        (tmp_path / folder).mkdir()
        for name in files:
            (tmp_path / folder / name).write_text("x")
    assert golden_slugs(tmp_path, reserved="cases") == ["ashby", "carrow"]
