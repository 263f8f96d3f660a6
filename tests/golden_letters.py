"""Every golden case's letter (the bundled councils and the edge cases), made through the one
path every command uses, for the tests that check letters with outside tools."""

from __future__ import annotations

from pathlib import Path

from lgo_letters.golden import GoldenPaths, GoldenSession
from lgo_letters.letter import Letter, make_letter
from lgo_letters.project import Paths

REPO = Path(__file__).resolve().parents[1]


def golden_session(out: Path) -> GoldenSession:
    return GoldenSession(
        GoldenPaths(
            Paths(REPO / "data", REPO / "templates", out),
            REPO / "tests" / "golden",
            REPO / "tests" / "golden_cases",
        )
    )


def golden_letters(session: GoldenSession) -> dict[str, Letter]:
    """name (<year>/<slug>) → the case's letter."""
    letters = {}
    for case in session.cases:
        letter = make_letter(case.prepared, case.slug)
        assert isinstance(letter, Letter), letter
        letters[case.name] = letter
    return letters
