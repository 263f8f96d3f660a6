"""Every sentence comes out whole in the PDF readers people and machines use: poppler's
pdftotext in its default and -raw modes (Evince, Okular, scrapers, search indexers), PDFium
(Chrome) and pypdf. The big figures of the statistics page once broke them apart there."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgo_letters.golden import GoldenPaths, GoldenSession
from lgo_letters.project import Paths
from lgo_letters.renderer import render_html
from tests.conftest import REPO, SEED_LETTERS, SEEDS
from tests.extraction import broken_sentences, statistics_sentences, why_no_pdftotext
from tests.outside_tools import require
from tests.textutil import seed_sentences

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _pdftotext() -> None:
    require(why_no_pdftotext())


@pytest.mark.parametrize("slug", sorted(SEED_LETTERS))
def test_every_seed_sentence_is_whole_in_every_reader(built_letters: Path, slug: str) -> None:
    year, seed = SEED_LETTERS[slug]
    sentences = seed_sentences((SEEDS / seed).read_text(encoding="utf-8"))
    assert "Yours sincerely," in sentences
    pdf = built_letters / str(year) / f"{slug}.pdf"
    assert broken_sentences(pdf, sentences) == {}


def test_statistics_sentences_of_every_golden_case_are_whole(tmp_path: Path) -> None:
    """Every wording of the statistics page (no cases, singular counts, two-digit counts…)."""
    session = GoldenSession(
        GoldenPaths(
            Paths(REPO / "data", REPO / "templates", tmp_path / "output"),
            REPO / "tests" / "golden",
            REPO / "tests" / "golden_cases",
        )
    )
    assert len(session.cases) > 10
    broken = {}
    for case in session.cases:
        html = render_html(session.case_set.templates, case.letter_format, case.letter)
        sentences = statistics_sentences(html)
        assert any(s.endswith("in similar authorities.") for s in sentences), case.name
        pdf = tmp_path / f"{case.year}-{case.slug}.pdf"
        pdf.write_bytes(session.renderer.pdf.render(html))
        if problems := broken_sentences(pdf, sentences):
            broken[case.name] = problems
    assert broken == {}
