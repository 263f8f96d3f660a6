"""The PDF is tagged (PDF/UA-1) with language, title, author, headings and alt text."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest

from tests.helpers import SEED_LETTERS
from tests.pdfutil import DRAFT_MARK, marked_text, structure_tree

LETTERS = {
    "harborough": "Harborough District Council",
    "dartford": "Dartford Borough Council",
}
AUTHOR = "Local Government and Social Care Ombudsman"


def _pdf(built: Path, slug: str) -> Path:
    return built / str(SEED_LETTERS[slug][0]) / f"{slug}.pdf"


@pytest.mark.parametrize("slug", sorted(LETTERS))
def test_catalog_and_metadata(built_letters: Path, slug: str) -> None:
    year = SEED_LETTERS[slug][0]
    reader = pypdf.PdfReader(_pdf(built_letters, slug))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-GB"
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a pypdf BooleanObject
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert "/StructTreeRoot" in catalog
    title = f"Annual Review letter {year} \u2013 {LETTERS[slug]}"  # an en dash
    assert reader.metadata.title == title
    assert reader.metadata.author == AUTHOR
    # Dated from the letter, never from the clock.
    letter_date = {2020: "D:20200722", 2021: "D:20210721"}[year]
    assert reader.metadata["/CreationDate"] == letter_date
    assert reader.metadata["/ModDate"] == letter_date
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert 'pdfuaid:part="1"' in xmp
    assert title in xmp and AUTHOR in xmp


@pytest.mark.parametrize("slug", sorted(LETTERS))
def test_headings_are_tagged_in_reading_order(built_letters: Path, slug: str) -> None:
    tree = structure_tree(_pdf(built_letters, slug))
    headings = [(e.tag, e.page) for e in tree.walk() if e.tag in ("H1", "H2", "H3")]
    last_page = max(e.page for e in tree.walk() if e.page is not None)
    assert headings[0] == ("H1", 0)  # "Annual Review letter …" on page 1
    assert [tag for tag, _ in headings] == ["H1", "H2", "H2", "H2", "H3", "H3", "H3"]
    # The council's name heads the statistics page, then its three panels.
    assert [page for _, page in headings[3:]] == [last_page] * 4


@pytest.mark.parametrize("slug", sorted(LETTERS))
def test_every_figure_has_alt_text(built_letters: Path, slug: str) -> None:
    tree = structure_tree(_pdf(built_letters, slug))
    figures = [(e.alt, e.page) for e in tree.walk() if e.tag == "Figure"]
    expected = [("Local Government & Social Care Ombudsman", 0)]
    if SEED_LETTERS[slug][0] == 2021:
        signature_page = next(e.page for e in tree.walk() if e.tag == "Figure" and e.page != 0)
        expected.append(("Signature of Michael King", signature_page))
    assert figures == expected


def test_statistics_are_tagged_in_reading_order(built_letters: Path) -> None:
    """The statistics page: its heading, then each panel whole (heading, figure, count),
    with the compliance note after the compliance panel."""
    tree = structure_tree(_pdf(built_letters, "harborough"))
    last_page = max(e.page for e in tree.walk() if e.page is not None)
    [page] = [
        e
        for e in tree.walk()
        if e.tag == "Sect" and e.page == last_page and any(c.tag == "Sect" for c in e.children)
    ]
    outline = []
    for child in page.children:
        tags = [e.tag for e in child.walk()]
        outline.append("H2" if "H2" in tags else "panel" if "H3" in tags else child.tag)
        if "H3" in tags:
            assert tags.index("H3") < tags.index("P"), "a panel's heading comes first"
            assert tags.count("P") >= 3, tags  # headline, comparison, basis
    assert outline == ["H2", "panel", "panel", "L", "panel"]


def test_draft_mark_is_seen_and_read_out_once(built_letters: Path) -> None:
    """The DRAFT watermark is on every page of a draft, as an artifact: a screen reader
    does not read it out at each page break, in the middle of the letter. It hears it once,
    first, from the banner at the top of page 1, and in the title."""
    pdf = built_letters / "2020" / "worcester.pdf"
    tagged, artifacts = marked_text(pdf)
    assert "Dear Mr Blake" in tagged and len(artifacts) == 3
    assert all(DRAFT_MARK in page.split() for page in artifacts), artifacts
    read_out = [text for text in tagged if DRAFT_MARK in text.split()]
    assert read_out == [
        "DRAFT – the figures in this letter are not confirmed and it must not be sent."
    ]
    assert tagged[0] == read_out[0]
    reader = pypdf.PdfReader(pdf)
    assert reader.metadata.title == "DRAFT – Annual Review letter 2020 – Worcester City Council"
    assert "DRAFT – Annual Review letter 2020" in reader.trailer["/Root"][
        "/Metadata"
    ].get_object().get_data().decode("utf-8")
    # A final letter has no watermark at all.
    tagged, artifacts = marked_text(built_letters / "2020" / "harborough.pdf")
    assert not [text for text in tagged + artifacts if DRAFT_MARK in text.split()]
