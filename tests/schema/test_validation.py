"""Bad records are reported as file:line:col: field: message, all at once, exit 1."""

from __future__ import annotations

from contextlib import chdir
from pathlib import Path

import pytest

from tests.errorcases import Run, invoke
from tests.helpers import REPO, bundled_councils, bundled_years

DARTFORD = "data/2021/councils/dartford.yaml"


def in_folder(folder: Path, *args: str) -> Run:
    """The command run in this process from `folder`, with relative folders as a user types
    them, so messages carry data/... paths."""
    with chdir(folder):
        return invoke(*args, "--data", "data", "--templates", "templates")


def validate(project: Path, *years: str) -> Run:
    return in_folder(project, "validate", *years)


def edit(project: Path, relative: str, old: str, new: str) -> None:
    file = project / relative
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new, 1))


@pytest.mark.slow  # reads the bundled data/ (the fast tier never does: see tests/conftest.py)
def test_bundled_records_are_valid() -> None:
    result = in_folder(REPO, "validate")
    assert result.code == 0, result.stderr
    records = sum(len(bundled_councils(year)) for year in bundled_years())
    assert f"all good: {records} record(s)" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  investigations: 4",
            "  investigatons: 4",
            "data/2021/councils/dartford.yaml:6:3: statistics.investigatons: unknown field; "
            "did you mean 'investigations'?",
        ),
        (
            "  upheld: 3",
            "  upheld: three",
            "data/2021/councils/dartford.yaml:7:3: statistics.upheld: must be a whole number, "
            "not 'three'",
        ),
        (
            "  upheld: 3",
            "  upheld: 2.5",
            "data/2021/councils/dartford.yaml:7:3: statistics.upheld: must be a whole number, "
            "not 2.5",
        ),
        (
            "  upheld: 3",
            "  upheld: 5",
            "data/2021/councils/dartford.yaml:7:3: statistics.upheld: 5 upheld decisions but only "
            "4 detailed investigations",
        ),
        (
            "  complied: 3",
            "  complied: 4",
            "data/2021/councils/dartford.yaml:10:3: statistics.complied: 4 complied outcomes but "
            "only 3 compliance outcomes",
        ),
        (
            "  satisfactory_remedies: 0",
            "  satisfactory_remedies: 4",
            "data/2021/councils/dartford.yaml:8:3: statistics.satisfactory_remedies: 4 "
            "satisfactory remedies but only 3 upheld decisions",
        ),
        (
            "late_remedies: 2",
            "late_remedies: 4",
            "data/2021/councils/dartford.yaml:11:1: late_remedies: 4 late remedies but only 3 "
            "complied outcomes (statistics.complied)",
        ),
        (
            "type: district",
            "type: borough",
            "data/2021/councils/dartford.yaml:2:1: type: must be one of county, district, "
            "metropolitan, unitary, london, not 'borough'",
        ),
        (
            "role: Director of Corporate Services and Chief Officer\n",
            "",
            "data/2021/councils/dartford.yaml:1:1: role: required field is missing",
        ),
        (
            "  complied: 3",
            "  complied: -1",
            "data/2021/councils/dartford.yaml:10:3: statistics.complied: must be 0 or more, not -1",
        ),
    ],
)
def test_each_problem_names_file_line_column_and_field(
    project: Path, old: str, new: str, expected: str
) -> None:
    edit(project, DARTFORD, old, new)
    result = validate(project, "2021")
    assert result.code == 1
    assert expected in result.stderr.splitlines()


def test_a_field_the_years_format_has_no_place_for(project: Path) -> None:
    file = project / "data/2020/councils/harborough.yaml"
    file.write_text(file.read_text() + "late_remedies: 1\ntraining_courses: 2\n")
    result = validate(project, "2020")
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert (
        "data/2020/councils/harborough.yaml:11:1: late_remedies: 2020's format "
        "(templates/2020/format.yaml) has no place for late_remedies"
    ) in lines
    assert (
        "data/2020/councils/harborough.yaml:12:1: training_courses: 2020's format "
        "(templates/2020/format.yaml) has no place for training_courses"
    ) in lines


def test_every_problem_in_every_file_is_reported_in_one_run(project: Path) -> None:
    edit(project, DARTFORD, "  upheld: 3", "  upheld: 9")
    edit(project, "data/2020/councils/harborough.yaml", "type: district", "type: parish")
    edit(project, "data/2020/councils/dacorum.yaml", "name: Dacorum", "nme: Dacorum")
    result = validate(project)
    assert result.code == 1
    assert "statistics.upheld: 9 upheld decisions" in result.stderr
    assert "harborough.yaml:2:1: type:" in result.stderr
    assert "dacorum.yaml:4:1: nme: unknown field; did you mean 'name'?" in result.stderr
    assert "dacorum.yaml:4:1: name: required field is missing" in result.stderr
    assert "4 problem(s) in 3 file(s)" in result.stderr


def test_bad_year_file_is_located(project: Path) -> None:
    edit(project, "data/2020/year.yaml", "compliance: 99", "compliance: 101")
    result = validate(project, "2020")
    assert result.code == 1
    assert (
        "data/2020/year.yaml:4:26: averages.district.compliance: must be 100 or less, not 101"
    ) in result.stderr


def test_a_bad_record_loses_only_its_own_letter(project: Path) -> None:
    edit(project, "data/2020/councils/dacorum.yaml", "  upheld: 7", "  upheld: 70")
    out = project / "output"
    result = in_folder(project, "build", "2020", "--format", "html", "--out", "output")
    assert result.code == 1
    assert "dacorum.yaml:10:3: statistics.upheld: 70 upheld decisions" in result.stderr
    assert sorted(p.name for p in (out / "2020").glob("*.html")) == [
        "ashfield.html",
        "harborough.html",
        "worcester.html",
    ]
