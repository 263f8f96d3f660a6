"""Wrong fields and contradictory counts: file:line:col: field: plain English, with the value."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.errorcases import invoke
from tests.helpers import REPO
from tests.records import council_with, write_council

DARTFORD = "data/2021/councils/dartford.yaml"
YEAR = "data/2021/year.yaml"


def problems_of(project: Path, text: str) -> list[str]:
    """Write dartford.yaml, run `validate 2021` and return every problem line (exit 1)."""
    write_council(project, "dartford", text)
    run = invoke("validate", "2021")
    assert run.code == 1, run.stderr
    return run.problems()


def test_a_typo_key_suggests_the_right_one(in_project: Path) -> None:
    text = council_with("  investigations:", "  investigatons:")
    assert problems_of(in_project, text) == [
        f"{DARTFORD}:5:1: statistics.investigations: required field is missing",
        f"{DARTFORD}:6:3: statistics.investigatons: unknown field; did you mean 'investigations'?",
    ]


def test_a_typo_top_level_key_suggests_the_right_one(in_project: Path) -> None:
    text = council_with("recipients:", "recipient:")
    assert f"{DARTFORD}:3:1: recipient: unknown field; did you mean 'recipients'?" in (
        problems_of(in_project, text)
    )


def test_an_unknown_key_with_no_likeness_lists_the_allowed_ones(in_project: Path) -> None:
    text = council_with("  complied: 3", "  complied: 3\n  ombudsman: 7")
    [problem] = problems_of(in_project, text)
    assert problem == (
        f"{DARTFORD}:11:3: statistics.ombudsman: unknown field (allowed: investigations, "
        "upheld, satisfactory_remedies, compliance_outcomes, complied)"
    )


def test_a_missing_required_field(in_project: Path) -> None:
    text = council_with("role: Director of Corporate Services\n", "")
    assert problems_of(in_project, text) == [f"{DARTFORD}:1:1: role: required field is missing"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('"two"', "'two'"),
        ("two", "'two'"),
        ("2.5", "2.5"),
        ("true", "true"),
        ("null", "nothing (null)"),
        ("", "nothing (null)"),
        ("[4]", "a list"),
        ("{n: 4}", "a mapping"),
    ],
)
def test_a_count_of_the_wrong_type(in_project: Path, value: str, shown: str) -> None:
    text = council_with("  investigations: 4", f"  investigations: {value}")
    assert problems_of(in_project, text) == [
        f"{DARTFORD}:6:3: statistics.investigations: must be a whole number, not {shown}"
    ]


def test_text_of_the_wrong_type(in_project: Path) -> None:
    text = council_with("role: Director of Corporate Services", "role: 42")
    assert problems_of(in_project, text) == [f"{DARTFORD}:4:1: role: must be text, not 42"]


def test_a_negative_count(in_project: Path) -> None:
    text = council_with("  satisfactory_remedies: 0", "  satisfactory_remedies: -1")
    assert problems_of(in_project, text) == [
        f"{DARTFORD}:8:3: statistics.satisfactory_remedies: must be 0 or more, not -1"
    ]


def test_upheld_more_than_investigations(in_project: Path) -> None:
    text = council_with("  upheld: 3", "  upheld: 5")
    assert problems_of(in_project, text) == [
        f"{DARTFORD}:7:3: statistics.upheld: 5 upheld decisions but only 4 detailed investigations"
    ]


def test_satisfactory_remedies_more_than_upheld(in_project: Path) -> None:
    text = council_with("  satisfactory_remedies: 0", "  satisfactory_remedies: 4")
    assert problems_of(in_project, text) == [
        f"{DARTFORD}:8:3: statistics.satisfactory_remedies: 4 satisfactory remedies but only "
        "3 upheld decisions"
    ]


def test_complied_more_than_compliance_outcomes(in_project: Path) -> None:
    text = council_with("  compliance_outcomes: 3", "  compliance_outcomes: 1")
    assert problems_of(in_project, text) == [
        f"{DARTFORD}:10:3: statistics.complied: 3 complied outcomes but only 1 compliance outcome"
    ]


def test_late_remedies_more_than_complied(in_project: Path) -> None:
    text = council_with("  complied: 3", "  complied: 3\nlate_remedies: 4")
    assert problems_of(in_project, text) == [
        f"{DARTFORD}:11:1: late_remedies: 4 late remedies but only 3 complied outcomes "
        "(statistics.complied)"
    ]


def test_every_contradiction_in_one_record_is_reported(in_project: Path) -> None:
    text = (
        council_with("  upheld: 3", "  upheld: 5")
        .replace("  satisfactory_remedies: 0", "  satisfactory_remedies: 6")
        .replace("  complied: 3", "  complied: 4")
    )
    assert [p.split(": ")[1] for p in problems_of(in_project, text)] == [
        "statistics.upheld",
        "statistics.satisfactory_remedies",
        "statistics.complied",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("101", "must be 100 or less, not 101"),
        ("-1", "must be 0 or more, not -1"),
        ("45.5", "must be a whole number, not 45.5"),
    ],
)
def test_an_average_outside_0_to_100(in_project: Path, value: str, message: str) -> None:
    year_file = in_project / YEAR
    year_file.write_text(year_file.read_text().replace("upheld: 53", f"upheld: {value}"))
    run = invoke("validate", "2021")
    assert run.code == 1
    assert run.problems() == [f"{YEAR}:4:14: averages.district.upheld: {message}"]


def test_an_unknown_authority_type(in_project: Path) -> None:
    text = council_with("type: district", "type: borough")
    assert problems_of(in_project, text) == [
        f"{DARTFORD}:2:1: type: must be one of county, district, metropolitan, unitary, "
        "london, not 'borough'"
    ]


def test_an_unknown_authority_type_in_the_averages(in_project: Path) -> None:
    year_file = in_project / YEAR
    year_file.write_text(year_file.read_text().replace("  district:", "  borough:"))
    run = invoke("validate", "2021")
    assert run.problems() == [
        f"{YEAR}:4:3: averages.borough: must be one of county, district, metropolitan, "
        "unitary, london, not 'borough'"
    ]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("21/07/2021", "'21/07/2021'"),
        ("21 July 2021", "'21 July 2021'"),
        ('"2021-07-21"', "'2021-07-21'"),
        ("2021-07-21 10:30:00", "2021-07-21 10:30:00"),
        ("20210721", "20210721"),
    ],
)
def test_a_bad_date(in_project: Path, value: str, shown: str) -> None:
    year_file = in_project / YEAR
    year_file.write_text(year_file.read_text().replace("2021-07-21", value))
    run = invoke("validate", "2021")
    assert run.code == 1
    assert run.problems() == [
        f"{YEAR}:1:1: letter_date: must be a date written as YYYY-MM-DD, not {shown}"
    ]


def test_an_empty_recipients_list(in_project: Path) -> None:
    text = council_with("recipients: [Mrs Martin]", "recipients: []")
    assert problems_of(in_project, text) == [f"{DARTFORD}:3:1: recipients: must not be empty"]


def test_an_empty_recipient(in_project: Path) -> None:
    text = council_with("recipients: [Mrs Martin]", "recipients: [Mrs Martin, '']")
    assert problems_of(in_project, text) == [f"{DARTFORD}:3:26: recipients[1]: must not be empty"]


@pytest.mark.parametrize("value", ['""', '"   "'])
def test_an_empty_name(in_project: Path, value: str) -> None:
    text = council_with("name: Dartford Borough Council", f"name: {value}")
    assert problems_of(in_project, text) == [f"{DARTFORD}:1:1: name: must not be empty"]


def test_a_field_this_years_format_has_no_place_for(in_project: Path) -> None:
    harborough = in_project / "data/2020/councils/harborough.yaml"
    harborough.write_text(harborough.read_text() + "training_courses: 2\n")
    run = invoke("validate", "2020")
    assert run.problems() == [
        "data/2020/councils/harborough.yaml:11:1: training_courses: 2020's format "
        "(templates/2020/format.yaml) has no place for training_courses"
    ]


def test_validate_reports_every_problem_in_every_file_in_one_run(in_project: Path) -> None:
    write_council(in_project, "dartford", council_with("  upheld: 3", "  upheld: 5"))
    write_council(
        in_project,
        "bexley",
        council_with("type: district", "type: borough")
        .replace("Dartford", "Bexley")
        .replace("role: Director", "rol: Director"),
    )
    write_council(in_project, "ashfield", "- a list\n", year=2020)
    year_file = in_project / YEAR
    year_file.write_text(year_file.read_text().replace("2021-07-28", "soon"))
    run = invoke("validate")
    assert run.code == 1
    assert run.problems() == [
        "data/2020/councils/ashfield.yaml:1:1: the file must hold a mapping of keys to "
        "values, not a list",
        "data/2021/councils/bexley.yaml:1:1: role: required field is missing",
        "data/2021/councils/bexley.yaml:2:1: type: must be one of county, district, "
        "metropolitan, unitary, london, not 'borough'",
        "data/2021/councils/bexley.yaml:4:1: rol: unknown field; did you mean 'role'?",
        f"{DARTFORD}:7:3: statistics.upheld: 5 upheld decisions but only 4 detailed investigations",
        f"{YEAR}:2:1: publication_date: must be a date written as YYYY-MM-DD, not 'soon'",
    ]
    assert "6 problem(s) in 4 file(s); 6 record(s) checked" in run.stderr


@pytest.mark.slow  # a child process on a pseudo-terminal
def test_on_a_terminal_problems_also_come_as_a_table(project: Path) -> None:
    write_council(project, "dartford", council_with("  upheld: 3", "  upheld: 5"))
    main, secondary = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "lgo_letters", "validate", "2021"],
            cwd=project,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=secondary,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "160", "TERM": "xterm"},
        )
        os.close(secondary)
        secondary = -1
        screen = b""
        while chunk := _read(main):
            screen += chunk
    finally:
        os.close(main)
        if secondary != -1:
            os.close(secondary)
    text = screen.decode()
    assert result.returncode == 1
    assert "1 problem(s)" in text  # the table's title
    for heading in ("file", "line", "field", "problem"):
        assert heading in text
    assert "│ 7:3  │ statistics.upheld │ 5 upheld decisions but only 4" in text


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # the terminal's other end is closed: all has been read
        return b""


def test_code_email_and_cc_are_checked_where_they_are_written(in_project: Path) -> None:
    text = council_with(
        "statistics:",
        "code: E0700010\nemail: [jo@, ok@example.org]\ncc: officer at example.org\nstatistics:",
    )
    problems = problems_of(in_project, text)
    assert problems == [
        f"{DARTFORD}:5:1: code: 'E0700010' is not an ONS GSS code: a letter (E, W, S or N) "
        "and eight digits, e.g. E07000107",
        f"{DARTFORD}:6:9: email[0]: 'jo@' is not an email address: "
        "there must be something after the @-sign",
        f"{DARTFORD}:7:1: cc[0]: 'officer at example.org' is not an email address: "
        "an email address must have an @-sign",
    ], problems


def test_one_address_or_a_list_of_them(in_project: Path) -> None:
    text = council_with(
        "statistics:",
        "code: E07000107\nemail: ceo@dartford.gov.uk\n"
        "cc: [link.officer@dartford.gov.uk, leader@dartford.gov.uk]\nstatistics:",
    )
    write_council(in_project, "dartford", text)
    run = invoke("validate", "2021")
    assert run.code == 0, run.stderr
