"""Every golden case's letter of the tests' own project (its councils and its edge cases, in
tests/fixtures/project/data/<year>/golden/cases/), made through the one path every command
uses, for the tests that check letters with outside tools. Never the bundled data/."""

from __future__ import annotations

from pathlib import Path

from lgo_letters.golden import GoldenPaths, GoldenSession
from lgo_letters.letter import Letter, make_letter
from lgo_letters.project import Paths
from tests.helpers import PROJECT_DATA, REPO


def golden_session(out: Path) -> GoldenSession:
    return GoldenSession(GoldenPaths(Paths(PROJECT_DATA, REPO / "templates", out)))


def golden_letters(session: GoldenSession) -> dict[str, Letter]:
    """name (<year>/<slug>) → the case's letter."""
    letters = {}
    for case in session.cases:
        letter = make_letter(case.prepared, case.slug)
        assert isinstance(letter, Letter), letter
        letters[case.name] = letter
    return letters
