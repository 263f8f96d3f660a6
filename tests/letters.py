"""Render one council's letter through the real pipeline, for wording tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from lgo_letters.letter import Letter, make_letter
from lgo_letters.project import Paths, prepare_year
from tests.textutil import html_text


def council(**overrides: Any) -> dict[str, Any]:
    """A valid district council record; keyword arguments replace its fields."""
    record: dict[str, Any] = {
        "name": "Testshire District Council",
        "type": "district",
        "recipients": ["Ms Example"],
        "role": "Chief Executive",
        "statistics": {
            "investigations": 10,
            "upheld": 5,
            "satisfactory_remedies": 1,
            "compliance_outcomes": 4,
            "complied": 4,
        },
    }
    statistics = overrides.pop("statistics", {})
    record["statistics"].update(statistics)
    record.update(overrides)
    return record


def write_council(project: Path, year: int, slug: str, record: dict[str, Any]) -> Path:
    file = project / "data" / str(year) / "councils" / f"{slug}.yaml"
    file.write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")
    return file


def render_letter(project: Path, year: int, record: dict[str, Any], slug: str = "testshire") -> str:
    """The visible text of the HTML letter for `record`, rendered with the real templates."""
    return html_text(render_letter_html(project, year, record, slug))


def render_letter_html(
    project: Path, year: int, record: dict[str, Any], slug: str = "testshire"
) -> str:
    write_council(project, year, slug, record)
    paths = Paths(project / "data", project / "templates", project / "output")
    prepared = prepare_year(paths, year, [slug])
    assert prepared.problems == [], [str(p) for p in prepared.problems]
    letter = make_letter(prepared, slug)
    assert isinstance(letter, Letter), letter
    return letter.html
