"""The one way the tests make a project: a folder with templates/ and data/ of its own.

Every test that needs a project copy gets it from `make_project`, either through the
`new_project` fixture (tests/conftest.py; `project` and `in_project` are its default) or, in
module- and session-scoped fixtures (release_built, long_names_letters …), by calling it.
Nothing here reads the bundled data/: a project's records are the tests' own
(tests/fixtures/project/data) or written by the test.
"""

from __future__ import annotations

import shutil
from collections.abc import Collection, Iterable
from pathlib import Path

from tests.helpers import PROJECT_DATA, REPO


def make_project(
    root: Path,
    *,
    data: Path | None = PROJECT_DATA,
    years: Iterable[int] = (),
    template_years: Collection[int] | None = None,
) -> Path:
    """`root` with a copy of the real templates/ and a data/ folder; returns `root`.

    data: a data/ folder to copy whole (default: the tests' own records), or None for none.
    years: years to start empty, each data/<year>/councils/ with the tests' own year.yaml
        (tests/fixtures/project/data/<year>/year.yaml, where there is one): a test writes
        its records, and its own year.yaml over that one if it needs another.
    template_years: only these years' formats from templates/ (default: every year's), so
        a year the team adds to templates/ later cannot change a test's project.
    """
    templates = REPO / "templates"

    def other_years(folder: str, names: list[str]) -> set[str]:
        if template_years is None or Path(folder) != templates:
            return set()
        wanted = {str(year) for year in template_years}
        return {name for name in names if name.isdigit() and name not in wanted}

    shutil.copytree(templates, root / "templates", ignore=other_years, dirs_exist_ok=True)
    if data is not None:
        shutil.copytree(data, root / "data")
    for year in years:
        year_dir = root / "data" / str(year)
        (year_dir / "councils").mkdir(parents=True, exist_ok=True)
        given = PROJECT_DATA / str(year) / "year.yaml"
        if given.is_file():
            shutil.copy(given, year_dir / "year.yaml")
    return root
