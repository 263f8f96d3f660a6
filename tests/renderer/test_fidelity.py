"""Each seed council's letter reproduces its real letter, sentence by sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import SEED_LETTERS, SEEDS
from tests.textutil import html_text, pdf_text, seed_sentences

DRAFT_MARK = "DRAFT"


def _missing(sentences: list[str], text: str) -> list[str]:
    return [s for s in sentences if s not in text]


def _without_draft_marks(text: str) -> str:
    # Draft letters carry a watermark on every page, which text extraction interleaves.
    return " ".join(w for w in text.split(" ") if w != DRAFT_MARK)


@pytest.mark.parametrize("slug", sorted(SEED_LETTERS))
def test_every_seed_sentence_is_in_the_html(built_letters: Path, slug: str) -> None:
    year, seed = SEED_LETTERS[slug]
    sentences = seed_sentences((SEEDS / seed).read_text(encoding="utf-8"))
    assert len(sentences) > 30
    html = (built_letters / str(year) / f"{slug}.html").read_text(encoding="utf-8")
    assert _missing(sentences, html_text(html)) == []


@pytest.mark.parametrize("slug", sorted(SEED_LETTERS))
def test_every_seed_sentence_is_in_the_pdf(built_letters: Path, slug: str) -> None:
    year, seed = SEED_LETTERS[slug]
    sentences = seed_sentences((SEEDS / seed).read_text(encoding="utf-8"))
    text = _without_draft_marks(pdf_text(built_letters / str(year) / f"{slug}.pdf"))
    assert _missing(sentences, text) == []


def test_seed_sentences_strip_extraction_marks() -> None:
    sentences = seed_sentences((SEEDS / SEED_LETTERS["dartford"][1]).read_text())
    joined = " ".join(sentences)
    for mark in ("**", "<p>", "|", "](#)", "##", "handwritten signature"):
        assert mark not in joined
    assert "3 upheld decisions" in sentences
