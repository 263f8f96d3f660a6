"""Golden files: the bundled letters still say and look as their golden files record, and
each edge case reaches the wording it is there for.

The first is `lgo-letters check YEAR`, run in this process for each year in data/ with the
same report, so CI fails on template drift as the command does. It reads the bundled data/,
so it is in the full tier only (`make test`): right after `new-year` the new year has no
figures or golden files yet, and the fast tier must stay green. When a change is intended,
`lgo-letters check --update` rewrites the golden files, to be reviewed in git.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from lgo_letters.golden import GoldenPaths, GoldenSession
from lgo_letters.project import Paths
from tests.golden_letters import golden_letters, golden_session
from tests.helpers import REPO, bundled_years
from tests.textutil import html_text


@pytest.mark.slow  # reads the bundled data/ and lays out every case's PDF (worker processes)
@pytest.mark.parametrize("year", bundled_years())
def test_each_years_letters_match_their_golden_files(year: int, tmp_path: Path) -> None:
    paths = Paths(REPO / "data", REPO / "templates", tmp_path / "output")
    session = GoldenSession(GoldenPaths(paths), [year])
    assert not session.case_set.problems, "\n".join(map(str, session.case_set.problems))
    outcomes = list(session.run())
    assert len(outcomes) >= len(session.cases) > 0
    report = "\n".join(line for outcome in outcomes for line in outcome.report())
    assert all(outcome.passed for outcome in outcomes), (
        f"{report}\n\nIf every change is intended, run `lgo-letters check {year} --update` "
        "and review the golden files in git."
    )
    if any(outcome.result.bytes_only for outcome in outcomes):
        warnings.warn(f"some PDFs' bytes are not reproducible here:\n{report}", stacklevel=1)


# What each edge case is there to pin down, as it reads in the letter. The tests' own copies
# of the edge cases (tests/fixtures/project/data/<year>/golden/cases/), not data/'s.
EDGE_CASE_WORDING = {
    "2020/no-investigations": "We did not complete any detailed investigations",
    "2020/no-upheld": "We upheld no complaints about your authority in this period",
    "2020/no-compliance-outcomes": "No recommendations were due for compliance",
    "2020/every-singular": "1 upheld decision Statistics are based on a total of 1 detailed "
    "investigation",
    "2020/five-recipients": "Dear Ms Achebe, Mr Brennan, Dr Chaudhry, Mrs Dalgliesh & Mr Ekwueme",
    "2020/bespoke-comments": 'the Council\'s "Listen & Learn" review',
    "2021/every-singular": "deliver one online complaint handling course to your staff",
    "2021/compliance-below-100-late": "in four of the five cases where we recommended a remedy",
    "2021/one-late-of-one": "this remedy was not completed within the agreed timescales",
    "2021/all-remedies-late": "in all three of these cases, remedies were not completed",
    "2021/ten-or-more-late": "in 11 of these cases, remedies were not completed",
}


@pytest.fixture(scope="module")
def edge_case_texts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    letters = golden_letters(golden_session(tmp_path_factory.mktemp("output")))
    return {name: html_text(letter.html) for name, letter in letters.items()}


@pytest.mark.parametrize("name", sorted(EDGE_CASE_WORDING))
def test_each_edge_case_reaches_its_wording(edge_case_texts: dict[str, str], name: str) -> None:
    assert EDGE_CASE_WORDING[name] in edge_case_texts[name]
