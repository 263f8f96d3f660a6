"""Render one council's letter through the real pipeline, for wording tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lgo_letters.letter import Letter, make_letter
from lgo_letters.project import Paths, prepare_year
from tests.records import write_council
from tests.textutil import html_text


def render_letter(project: Path, year: int, record: dict[str, Any], slug: str = "testshire") -> str:
    """The visible text of the HTML letter for `record`, rendered with the real templates."""
    return html_text(render_letter_html(project, year, record, slug))


def render_letter_html(
    project: Path, year: int, record: dict[str, Any], slug: str = "testshire"
) -> str:
    write_council(project, slug, record, year=year)
    paths = Paths(project / "data", project / "templates", project / "output")
    prepared = prepare_year(paths, year, [slug])
    assert prepared.problems == (), [str(p) for p in prepared.problems]
    letter = make_letter(prepared, slug)
    assert isinstance(letter, Letter), letter
    return letter.html
