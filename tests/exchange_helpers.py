"""A small project of made-up records for the import/export tests (no bundled councils)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.projects import make_project
from tests.records import council
from tests.years import year_file

YEAR = 2021

YEAR_FILE = year_file(
    2021, averages={"district": {"upheld": 53, "compliance": 100, "satisfactory_remedy": 16}}
)


def record(name: str, kind: str = "district", **overrides: Any) -> dict[str, Any]:
    """council() with this name and type, 5 of 8 investigations upheld."""
    statistics = {"investigations": 8, **overrides.pop("statistics", {})}
    return council(name=name, type=kind, statistics=statistics, **overrides)


def make_year(root: Path, councils: dict[str, dict[str, Any]], year_file: str = YEAR_FILE) -> Path:
    """`root` with templates/ and data/2021/ holding `councils` (slug → record)."""
    make_project(root, data=None)
    folder = root / "data" / str(YEAR) / "councils"
    folder.mkdir(parents=True, exist_ok=True)
    (folder.parent / "year.yaml").write_text(year_file, encoding="utf-8")
    for slug, fields in councils.items():
        write_record(root, slug, fields)
    return root


def write_record(root: Path, slug: str, fields: dict[str, Any]) -> Path:
    """The record in PyYAML's block style (lists one item a line), which the import tests
    check is kept when a record is updated."""
    file = root / "data" / str(YEAR) / "councils" / f"{slug}.yaml"
    file.write_text(
        yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8"
    )
    return file
