"""One decision, one failure, one wording: the same broken record gives the same located
reasons from `build`, `status`, the review desk, the live preview and `check`.

letter.cannot_make / letter.make_letter decide whether a letter can be made, and every
front end shows the failure's reasons (errors.LetterFailure: file:line:col: field: message)
as they are, all of them.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from lgo_letters.errors import TemplateError
from lgo_letters.letter import cannot_make
from lgo_letters.project import Paths, prepare_year
from lgo_letters.serve.review import Desk
from lgo_letters.serve.site import LetterSite
from tests.errorcases import invoke
from tests.records import council, write_council
from tests.textutil import html_text

YEAR = 2021
SLUG = "testshire"


def _paths(project: Path) -> Paths:
    return Paths(project / "data", project / "templates", project / "out")


def _folders(project: Path) -> list[str]:
    paths = _paths(project)
    return ["--data", str(paths.data), "--templates", str(paths.templates), "--out", str(paths.out)]


def _only_the_broken_record(project: Path) -> Path:
    """The year with one council, whose record has two problems on two lines (a front end
    that shows one problem is caught), and no golden edge cases (`check` lays out no PDF)."""
    year_dir = project / "data" / str(YEAR)
    for file in (year_dir / "councils").glob("*.yaml"):
        file.unlink()
    shutil.rmtree(year_dir / "golden")
    record = council(statistics={"complied": -1}, email=["not an address"])
    return write_council(project, SLUG, record, year=YEAR)


def _pre_texts(html: str) -> list[str]:
    return [
        " ".join(html_text(found).split())
        for found in re.findall(r'<pre class="problem">(.*?)</pre>', html, re.DOTALL)
    ]


def test_a_broken_record_gives_the_same_located_reasons_everywhere(project: Path) -> None:
    record_file = _only_the_broken_record(project)
    paths = _paths(project)
    reasons = [str(problem) for problem in prepare_year(paths, YEAR).records.failed[SLUG]]
    assert len(reasons) == 2, reasons
    assert all(re.match(rf"{re.escape(str(record_file))}:\d+:\d+: \w", r) for r in reasons)

    def lines_about_the_record(text: str) -> list[str]:
        return sorted(line for line in text.splitlines() if line.startswith(str(record_file)))

    build = invoke("build", str(YEAR), "--format", "html", *_folders(project))
    assert build.code == 1
    assert lines_about_the_record(build.stderr) == sorted(reasons)

    status = invoke("status", str(YEAR), "--json", *_folders(project))
    (row,) = [row for row in json.loads(status.stdout)["councils"] if row["council"] == SLUG]
    assert row["record"] == "; ".join(reasons)

    desk = Desk(paths, YEAR).letter(SLUG)
    assert desk is not None
    assert desk.approvable == f"it has problems: {'; '.join(reasons)}"

    preview = LetterSite(paths, YEAR).letter(SLUG)
    assert _pre_texts(preview.body.decode("utf-8")) == reasons

    check = invoke("check", str(YEAR), *_folders(project))
    assert lines_about_the_record(check.stderr) == sorted(reasons)


def test_a_broken_year_file_is_said_in_one_wording_by_build_and_the_preview(
    project: Path,
) -> None:
    write_council(project, SLUG, council(), year=YEAR)
    year_file = project / "data" / str(YEAR) / "year.yaml"
    year_file.write_text(year_file.read_text().replace("letter_date: 2021-07-21", "letter_date: x"))
    paths = _paths(project)
    said = f"{year_file} has problems, so no letter of {YEAR} can be made"
    year_problems = [str(p) for p in prepare_year(paths, YEAR).problems if p.file == year_file]
    assert any("letter_date" in problem for problem in year_problems)

    build = invoke("build", str(YEAR), "--format", "html", *_folders(project))
    assert f": {said}" in build.stderr

    index = LetterSite(paths, YEAR).index().body.decode("utf-8")
    found = re.search(rf'<tr id="council-{SLUG}">(.*?)</tr>', index, re.DOTALL)
    assert found is not None
    assert said in " ".join(html_text(found.group(1)).split())

    # Each of the year file's problems, located, where one letter is shown.
    page = LetterSite(paths, YEAR).letter(SLUG).body.decode("utf-8")
    assert _pre_texts(page) == year_problems


def test_the_one_decision_is_the_failure_every_front_end_shows(project: Path) -> None:
    record_file = _only_the_broken_record(project)
    prepared = prepare_year(_paths(project), YEAR)
    failure = cannot_make(prepared, SLUG)
    assert failure is not None and failure.kind == "record"
    assert failure.problems == tuple(prepared.records.failed[SLUG])
    assert all(problem.file == record_file and problem.line for problem in failure.problems)


@pytest.mark.parametrize(
    "message",
    [
        "templates/2021/letter.html.j2:12: template syntax error: unexpected '}'",
        "templates/2021/letter.html.j2: template not found",
        "/a:b/templates/2021/letter.html.j2:3: TypeError: x: y",
    ],
)
def test_a_template_fault_is_located_and_worded_as_before(message: str) -> None:
    problem = TemplateError(message).problem()
    assert str(problem) == message
    assert problem.file.name == "letter.html.j2"
