"""The printed letter: A4 pages, letterhead, statistics page, margins, and page breaks.

Pages are rasterised (pypdfium2) and their text read (pypdf, pypdfium2) from the real
PDFs the `build` command wrote: built_letters (the seed councils) and long_names_letters
(a 60-character council, five recipients, a 40-word role).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import SEED_LETTERS
from tests.pdfutil import (
    A4_POINTS,
    DRAFT_MARK,
    MM,
    ink_boxes,
    page_breaks,
    page_lines,
    page_sizes,
    page_texts,
    text_box,
)
from tests.textutil import pdf_pages

# The print specification: A4 with these margins (mm), the letterhead within the top band.
MARGINS_MM = {"top": 18, "right": 22, "bottom": 20, "left": 24}
LETTERHEAD_BAND_MM = 40
# Anti-aliased edges and glyph overhang may stray this far (points) without being a fault.
TOLERANCE = 1.5

PAGE_COUNTS = {("harborough", 2020): 3, ("dartford", 2021): 4}
HEADINGS = {
    2020: [
        "Annual Review letter 2020",
        "Complaint statistics",
        "Resources to help you get it right",
    ],
    2021: [
        "Annual Review letter 2021",
        "Complaint statistics",
        "Supporting complaint and service improvement",
    ],
}
PANEL_HEADINGS = [
    "Complaints upheld",
    "Compliance with Ombudsman recommendations",
    "Satisfactory remed",
]


def seed_pdf(built: Path, slug: str) -> Path:
    return built / str(SEED_LETTERS[slug][0]) / f"{slug}.pdf"


def every_letter(built: Path, long_names: Path) -> list[tuple[Path, int]]:
    letters = [(seed_pdf(built, slug), SEED_LETTERS[slug][0]) for slug in sorted(SEED_LETTERS)]
    letters += [(long_names / str(year) / "long-names.pdf", year) for year in (2020, 2021)]
    return letters


@pytest.mark.parametrize(("slug", "year"), sorted(PAGE_COUNTS))
def test_pages_are_a4_and_as_many_as_expected(built_letters: Path, slug: str, year: int) -> None:
    sizes = page_sizes(seed_pdf(built_letters, slug))
    assert len(sizes) == PAGE_COUNTS[(slug, year)]
    for width, height in sizes:
        assert width == pytest.approx(A4_POINTS[0], abs=0.5)
        assert height == pytest.approx(A4_POINTS[1], abs=0.5)


@pytest.mark.parametrize(("slug", "year"), sorted(PAGE_COUNTS))
def test_letterhead_is_in_the_top_band_of_page_one(
    built_letters: Path, slug: str, year: int
) -> None:
    pdf = seed_pdf(built_letters, slug)
    band = LETTERHEAD_BAND_MM * MM
    for words in ("Local Government & Social Care", "OMBUDSMAN"):
        box = text_box(pdf, 0, words)
        assert box is not None, f"{words!r} is not on page 1"
        assert box.bottom < band, f"{words!r} sits {box.bottom / MM:.0f} mm down page 1"
    first_text_box = text_box(pdf, 0, "By email")
    assert first_text_box is not None and first_text_box.top > band
    # Nothing from the letterhead on later pages.
    for index in range(1, len(page_sizes(pdf))):
        assert text_box(pdf, index, "OMBUDSMAN") is None


def test_nothing_is_drawn_outside_the_margins(
    built_letters: Path, long_names_letters: Path
) -> None:
    width, height = A4_POINTS
    inside = {
        "left": MARGINS_MM["left"] * MM - TOLERANCE,
        "top": MARGINS_MM["top"] * MM - TOLERANCE,
        "right": width - MARGINS_MM["right"] * MM + TOLERANCE,
        "bottom": height - MARGINS_MM["bottom"] * MM + TOLERANCE,
    }
    for pdf, _ in every_letter(built_letters, long_names_letters):
        for number, box in enumerate(ink_boxes(pdf), start=1):
            assert box is not None, f"{pdf.name} page {number} is blank"
            assert box.left >= inside["left"], (pdf.name, number, box)
            assert box.top >= inside["top"], (pdf.name, number, box)
            assert box.right <= inside["right"], (pdf.name, number, box)
            assert box.bottom <= inside["bottom"], (pdf.name, number, box)


def test_statistics_are_alone_on_the_last_page(
    built_letters: Path, long_names_letters: Path
) -> None:
    for pdf, year in every_letter(built_letters, long_names_letters):
        pages = page_texts(pdf)
        statistics, letter = pages[-1], " ".join(pages[:-1])
        period = f"For the period ending: 31/03/{year % 100:02d}"
        assert period in statistics.split(" Complaints upheld ")[0], pdf
        last = -1
        for heading in PANEL_HEADINGS:
            assert heading in statistics, (pdf, heading)
            assert statistics.index(heading) > last, f"{pdf}: panels out of order"
            last = statistics.index(heading)
        for letter_only in ("Yours sincerely,", "Dear ", HEADINGS[year][1] + " This year"):
            assert letter_only not in statistics, (pdf, letter_only)
        for statistics_only in (
            period,
            "This compares to an average of",
            "Compliance with Ombudsman recommendations",
        ):
            assert statistics_only not in letter, (pdf, statistics_only)


def test_headings_are_never_the_last_line_of_a_page(
    built_letters: Path, long_names_letters: Path
) -> None:
    for pdf, year in every_letter(built_letters, long_names_letters):
        for number, lines in enumerate(page_lines(pdf), start=1):
            for heading in HEADINGS[year]:
                assert lines[-1] != heading, f"{pdf.name}: {heading!r} ends page {number}"
                if heading in lines:
                    # A heading's section starts on its page: at least two lines follow it.
                    assert len(lines) - lines.index(heading) > 2, (pdf.name, heading, number)


def test_sign_off_is_never_split_from_yours_sincerely(
    built_letters: Path, long_names_letters: Path
) -> None:
    for pdf, _ in every_letter(built_letters, long_names_letters):
        pages = page_lines(pdf)
        [page] = [lines for lines in pages if "Yours sincerely," in lines]
        start = page.index("Yours sincerely,")
        assert page[start + 1 : start + 4] == [
            "Michael King",
            "Local Government and Social Care Ombudsman",
            "Chair, Commission for Local Administration in England",
        ], pdf.name
        # …and it is not left alone: the end of the letter's last paragraph comes with it.
        assert start >= 2, f"{pdf.name}: the sign-off starts a page on its own"


def test_no_widowed_or_orphaned_lines(built_letters: Path, long_names_letters: Path) -> None:
    splits_seen = 0
    for pdf, _ in every_letter(built_letters, long_names_letters):
        html = pdf.with_suffix(".html").read_text(encoding="utf-8")
        breaks = page_breaks(pdf, html)  # every break placed, or the test fails
        assert len(breaks) == len(page_sizes(pdf)) - 1
        for split in (b for b in breaks if b.paragraph is not None):
            splits_seen += 1
            start = split.paragraph
            assert split.lines_before >= 2, (
                f"{pdf.name}: one line of {start!r}… left at a page bottom"
            )
            assert split.lines_after >= 2, (
                f"{pdf.name}: one line of {start!r}… carried to the next page"
            )
    # The long-names letters split a paragraph across pages, so the check has bitten.
    assert splits_seen >= 1


RECIPIENTS = [
    "Mrs Fotheringham-Whitley",
    "Mr Abernethy-Montgomery",
    "Dr Okonkwo-Richardson",
    "Ms Vandersteen",
    "Mr Llewellyn-Bowen",
]


@pytest.mark.parametrize("year", [2020, 2021])
def test_long_names_lay_out_on_page_one(long_names_letters: Path, year: int) -> None:
    pdf = long_names_letters / str(year) / "long-names.pdf"
    html = pdf.with_suffix(".html").read_text(encoding="utf-8")
    assert "Borough Council of Kings Lynn, West Norfolk and Fenland Fens" in html
    page_one = page_texts(pdf)[0]
    for recipient in RECIPIENTS:
        assert page_one.count(recipient) == 2, recipient  # the address and "Dear …"
    # The address breaks between names, never inside one.
    lines = page_lines(pdf)[0]
    first = lines.index("By email") + 1
    address = lines[first : first + 2]
    assert re.sub(r",? & |, ", "|", " ".join(address).rstrip(",")).split("|") == RECIPIENTS
    for line in address:
        assert set(re.split(r",? & |, ", line.rstrip(","))) <= set(RECIPIENTS), line
    assert "Interim Joint Chief Executive" in page_one
    assert "two neighbouring district councils Borough Council of Kings Lynn" in page_one
    assert f"Annual Review letter {year}" in page_one
    # The statistics page's heading, however long the name, stays above its panels.
    name_box = text_box(pdf, len(page_sizes(pdf)) - 1, "Fenland Fens")
    panel_box = text_box(pdf, len(page_sizes(pdf)) - 1, "Complaints upheld")
    assert name_box is not None and panel_box is not None
    assert name_box.bottom < panel_box.top


def test_draft_letters_say_draft_on_every_page(built_letters: Path) -> None:
    for slug in ("worcester", "ashfield", "dacorum"):
        pages = pdf_pages(seed_pdf(built_letters, slug))
        assert all(DRAFT_MARK in page.split(" ") for page in pages), slug
    for slug in ("harborough", "dartford"):
        assert DRAFT_MARK not in " ".join(pdf_pages(seed_pdf(built_letters, slug))), slug
