"""Render one council's letter through the real pipeline, for wording tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lgo_letters.project import Paths, prepare_year
from lgo_letters.renderer import Templates, render_html
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
    templates = Templates(paths.templates)
    prepared = prepare_year(paths, year, [slug], templates)
    assert prepared.problems == [], [str(p) for p in prepared.problems]
    return render_html(templates, prepared.letter_format, prepared.letters[slug])
