"""Golden files: every case's letter still says and looks as its golden files record.

A test per case runs the same comparison as `lgo-letters check`, so a failure shows the
same diff. When a change is intended, `lgo-letters check --update` rewrites the golden
files, to be reviewed in git.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from lgo_letters.golden import GoldenPaths, GoldenSession
from lgo_letters.project import Paths
from tests.helpers import REPO


def _paths(out: Path) -> GoldenPaths:
    return GoldenPaths(
        Paths(REPO / "data", REPO / "templates", out),
        REPO / "tests" / "golden",
        REPO / "tests" / "golden_cases",
    )


# Collected from the records themselves (no rendering), so a new case is a new test.
CASE_NAMES = [case.name for case in GoldenSession(_paths(REPO / "output")).cases]


@pytest.fixture(scope="session")
def golden_session(tmp_path_factory: pytest.TempPathFactory) -> GoldenSession:
    """One session for every case: fonts set up once; diff images go to a temporary folder."""
    return GoldenSession(_paths(tmp_path_factory.mktemp("output")))


@pytest.mark.parametrize("name", CASE_NAMES)
def test_letter_matches_its_golden_files(golden_session: GoldenSession, name: str) -> None:
    outcome = golden_session.check(golden_session.case(name))
    report = "\n".join(outcome.report())
    assert outcome.passed, (
        f"{report}\n\nIf every change is intended, run `lgo-letters check --update` "
        "and review the golden files in git."
    )
    if outcome.result.bytes_only:
        warnings.warn(f"{name}: the PDF's bytes are not reproducible here: {report}", stacklevel=1)


def test_every_case_record_is_valid_and_every_golden_folder_has_a_case(
    golden_session: GoldenSession,
) -> None:
    assert not golden_session.case_set.problems, "\n".join(
        map(str, golden_session.case_set.problems)
    )
    assert [outcome.result.name for outcome in golden_session.gone()] == []


# What each edge case is there to pin down, as it reads in the letter's PDF.
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


@pytest.mark.parametrize("name", sorted(EDGE_CASE_WORDING))
def test_each_edge_case_reaches_its_wording(name: str) -> None:
    """The golden files of each edge case hold the sentence the case exists for."""
    text = (REPO / "tests" / "golden" / name / "pdf-text.txt").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("=== page ")]
    assert EDGE_CASE_WORDING[name] in " ".join(" ".join(lines).split())
