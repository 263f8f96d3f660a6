"""The tagged structure of every built letter, as a PDF/UA-1 checker (the Matterhorn
Protocol's structure checks) walks it: no empty structure elements, one Link element and
one annotation per link with a description that is not the bare URL, headings from H1 down
without a level skipped, and a draft that says so once in its tagged text and its title."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pypdf
import pytest

from tests.helpers import run_cli
from tests.pdfutil import DRAFT_MARK, marked_text, structure_tree
from tests.projects import make_project
from tests.records import council, write_council

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def letters(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A final and a draft letter of each year's format, built with the real command."""
    root = tmp_path_factory.mktemp("structure")
    make_project(root, data=None, years=(2020, 2021))
    for year in (2020, 2021):
        write_council(root, "final", year=year, record=council(name="Final Borough Council"))
        write_council(
            root, "draft", year=year, record=council(name="Draft District Council", draft=True)
        )
        result = run_cli(
            *("build", str(year), "--data", str(root / "data")),
            *("--templates", str(root / "templates"), "--out", str(root / "out")),
        )
        assert result.returncode == 0, result.stderr
    return sorted((root / "out").glob("*/*.pdf"))


def _html(pdf: Path) -> str:
    return pdf.with_suffix(".html").read_text(encoding="utf-8")


def test_no_structure_element_is_empty(letters: list[Path]) -> None:
    for pdf in letters:
        tree = structure_tree(pdf)
        empty = [
            element.tag
            for element in tree.walk()
            if element.tag != "StructTreeRoot"
            and not (element.children or element.mcids or element.annotations)
        ]
        assert empty == [], pdf.name


def test_one_link_element_and_one_annotation_per_link(letters: list[Path]) -> None:
    for pdf in letters:
        links_in_html = re.findall(r'<a href="([^"]+)" title="([^"]+)">', _html(pdf))
        assert links_in_html, pdf.name
        link_elements = [e for e in structure_tree(pdf).walk() if e.tag == "Link"]
        assert [len(e.annotations) for e in link_elements] == [1] * len(links_in_html), pdf.name
        annotations = [
            annotation.get_object()
            for page in pypdf.PdfReader(pdf).pages
            for annotation in page.get("/Annots") or []
        ]
        described = [(a["/A"]["/URI"], a["/Contents"]) for a in annotations]
        assert described == links_in_html, pdf.name
        assert all(not contents.startswith("http") for _, contents in described)


def test_headings_go_down_one_level_at_a_time(letters: list[Path]) -> None:
    for pdf in letters:
        levels = [
            int(e.tag[1]) for e in structure_tree(pdf).walk() if re.fullmatch("H[1-6]", e.tag)
        ]
        assert levels[0] == 1, pdf.name
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
        assert set(levels) == {1, 2, 3}, pdf.name


def test_a_draft_says_so_once_in_its_tagged_text_and_its_title(letters: list[Path]) -> None:
    assert len(letters) == 4
    for pdf in letters:
        draft = '<body class="draft">' in _html(pdf)
        assert draft == (pdf.stem == "draft")
        tagged, _ = marked_text(pdf)
        read_out = [text for text in tagged if DRAFT_MARK in text.split()]
        title = pypdf.PdfReader(pdf).metadata.title
        if draft:
            assert len(read_out) == 1 and tagged[0] == read_out[0], pdf.name
            assert title.startswith(f"{DRAFT_MARK} – Annual Review letter"), title
        else:
            assert read_out == [] and DRAFT_MARK not in title, pdf.name
