"""Every sentence comes out whole in the PDF readers people and machines use: poppler's
pdftotext in its default and -raw modes (Evince, Okular, scrapers, search indexers), PDFium
(Chrome) and pypdf. The big figures of the statistics page once broke them apart there."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgo_letters.letter import LetterPdf, letter_pdf
from lgo_letters.renderer.pdf import PdfRenderer
from tests.extraction import EXTRACTORS, broken_sentences, statistics_sentences, why_reader_missing
from tests.golden_letters import golden_letters, golden_session
from tests.helpers import SEED_LETTERS, SEEDS
from tests.outside_tools import require
from tests.textutil import seed_sentences

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("reader", list(EXTRACTORS))
@pytest.mark.parametrize("slug", sorted(SEED_LETTERS))
def test_every_seed_sentence_is_whole(built_letters: Path, slug: str, reader: str) -> None:
    require(why_reader_missing(reader))
    year, seed = SEED_LETTERS[slug]
    sentences = seed_sentences((SEEDS / seed).read_text(encoding="utf-8"))
    assert "Yours sincerely," in sentences
    pdf = built_letters / str(year) / f"{slug}.pdf"
    assert broken_sentences(pdf, sentences, reader) == []


@pytest.fixture(scope="module")
def golden_cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, list[str]]]:
    """Every golden case (no cases, singular counts, two-digit counts…): its PDF, and the
    sentences of its statistics page."""
    out = tmp_path_factory.mktemp("cases")
    session = golden_session(out / "output")
    renderer = PdfRenderer(session.case_set.templates.dir)
    cases = {}
    for name, letter in golden_letters(session).items():
        made = letter_pdf(letter, renderer)
        assert isinstance(made, LetterPdf), made
        pdf = out / f"{name.replace('/', '-')}.pdf"
        pdf.write_bytes(made.pdf)
        cases[name] = (pdf, statistics_sentences(letter.html))
    return cases


@pytest.mark.parametrize("reader", list(EXTRACTORS))
def test_statistics_sentences_of_every_golden_case_are_whole(golden_cases, reader: str) -> None:
    require(why_reader_missing(reader))
    assert len(golden_cases) > 10
    broken = {}
    for name, (pdf, sentences) in golden_cases.items():
        assert any(s.endswith("in similar authorities.") for s in sentences), name
        if found := broken_sentences(pdf, sentences, reader):
            broken[name] = found
    assert broken == {}
