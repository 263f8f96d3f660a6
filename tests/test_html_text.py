"""Words never run together when the tags are stripped (textContent, `w3m -dump`, any
HTML-to-text step, a plain-text email body): adjacent blocks, table cells and the
signatory's lines are separated by white space in the markup itself. And every page has
one main landmark."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgo_letters.errors import LetterFailure, Problem
from lgo_letters.serve.pages import (
    CouncilRow,
    index_page,
    internal_error_page,
    not_found_page,
    unavailable_page,
    year_unavailable_page,
)
from tests.golden_letters import golden_letters, golden_session
from tests.htmltext import glued_blocks, text_content


@pytest.fixture(scope="module")
def letters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every golden case's letter, as the HTML file `build` writes."""
    session = golden_session(tmp_path_factory.mktemp("output"))
    return {name: letter.html for name, letter in golden_letters(session).items()}


def _server_pages() -> dict[str, str]:
    problem = Problem(Path("data/2020/councils/b.yaml"), 3, 5, "statistics.upheld", "too many")
    rates = {"upheld": "50%", "compliance": "100%", "satisfactory_remedy": "no cases"}
    rows = [
        CouncilRow("a", "A Council", "district", False, [], rates),
        CouncilRow("b", "B Council", "county", True, [str(problem), str(problem)]),
    ]
    warning = Problem(Path("data/2020/year.yaml"), 4, 1, "averages.county", "computed")
    return {
        "index": index_page(2020, "data/2020", rows, [problem], None, [warning], list(rates)),
        "404": not_found_page(2020, "There is no such page.", ["ashfield", "bespoke-comments"]),
        "unavailable": unavailable_page(LetterFailure("b", "record", (problem, problem))),
        "unavailable (year)": year_unavailable_page("b", "a message"),
        "internal error": internal_error_page("KeyError: 'x'"),
    }


def test_no_words_run_together_in_any_letter(letters: dict[str, str]) -> None:
    assert len(letters) > 10
    glued = {name: found for name, html in letters.items() if (found := glued_blocks(html))}
    assert glued == {}


def test_signatory_lines_and_statistics_read_apart(letters: dict[str, str]) -> None:
    text = " ".join(text_content(html) for html in letters.values())
    assert "Michael King\nLocal Government and Social Care Ombudsman\nChair" in text
    assert "upheld.This" not in text and "training.We" not in text and "data.It" not in text


@pytest.mark.parametrize("name", ["index", "404", "unavailable", "internal error"])
def test_no_words_run_together_in_the_server_pages(name: str) -> None:
    assert glued_blocks(_server_pages()[name]) == []


def test_every_page_has_one_main_landmark(letters: dict[str, str]) -> None:
    pages = {**letters, **_server_pages()}
    assert {name: html.count("<main>") for name, html in pages.items()} == dict.fromkeys(pages, 1)
    assert all(html.count("</main>") == 1 for html in pages.values())


def test_glued_blocks_finds_blocks_that_run_together() -> None:
    assert glued_blocks("<p>one.</p><p>Two</p>") == ["one.|Two"]
    assert glued_blocks("<td>Council</td><td>Type</td>") == ["Council|Type"]
    assert glued_blocks("<p>one.</p>\n<p>Two <strong>three</strong></p>") == []
