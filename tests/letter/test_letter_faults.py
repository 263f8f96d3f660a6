"""Any exception while making one letter costs that letter only, in every command.

A template fault that is not a Jinja error (a division by zero, a filter given the wrong
kind of value, endless recursion) for one council used to stop the whole year with exit
70. Now `build`, `preview`, `serve` and `check` each make the other letters and report the
failed one with the template's file and line.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from lgo_letters.project import Paths
from lgo_letters.serve import serving
from tests.errorcases import invoke
from tests.projects import make_project
from tests.records import VALID_COUNCIL
from tests.years import year_file

TEMPLATE = "templates/2021/letter.html.j2"
# Each fault strikes only the council named Faulty, so the other letter must still be made.
FAULTS = {
    "division by zero": ("{{ 1 // 0 }}", "ZeroDivisionError: integer division or modulo by zero"),
    "filter given text": ("{{ letter.council.name | long_date }}", "AttributeError: "),
    "endless recursion": (
        "{% macro again() %}{{ again() }}{% endmacro %}{{ again() }}",
        "RecursionError: maximum recursion depth exceeded",
    ),
}


def faulty_project(root: Path, fault: str) -> int:
    """A project of two 2021 councils, `good` and `faulty`, whose template fails for
    `faulty` only; returns the template line of the fault."""
    make_project(root, data=None, years=[2021])
    year = root / "data" / "2021"
    (year / "year.yaml").write_text(year_file(2021))
    (year / "councils" / "good.yaml").write_text(VALID_COUNCIL)
    faulty = VALID_COUNCIL.replace("Dartford Borough Council", "Faulty District Council")
    (year / "councils" / "faulty.yaml").write_text(faulty)
    template = root / TEMPLATE
    text = template.read_text()
    anchor = "{% block opening %}\n"
    line = text.split(anchor)[0].count("\n") + 2
    statement = f'{{% if letter.council.name == "Faulty District Council" %}}{fault}{{% endif %}}\n'
    template.write_text(text.replace(anchor, anchor + statement, 1))
    return line


@pytest.fixture(params=sorted(FAULTS))
def fault(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """(expected located message, the project folder), with the project the working folder."""
    statement, message = FAULTS[request.param]
    line = faulty_project(tmp_path, statement)
    monkeypatch.chdir(tmp_path)
    return f"{TEMPLATE}:{line}: {message}", tmp_path


def test_build_makes_the_other_letters_and_names_the_template_line(fault) -> None:
    message, project = fault
    run = invoke("build", "2021", "--format", "html")
    assert run.code == 1, run.stderr
    assert f"faulty: {message}" in run.stderr
    assert "failed: faulty" in run.stderr.splitlines()
    assert "1 letter(s) built, 1 failed" in run.stderr
    assert sorted(p.name for p in (project / "output/2021").glob("*.html")) == ["good.html"]


def test_preview_reports_the_template_line_and_exits_1(fault) -> None:
    message, project = fault
    run = invoke("preview", "2021", "faulty")
    assert run.code == 1, run.stderr
    assert f"faulty: {message}" in run.stderr
    assert not (project / "output/2021/faulty.html").exists()
    good = invoke("preview", "2021", "good")
    assert good.code == 0, good.stderr
    assert (project / "output/2021/good.html").is_file()


def _get(url: str) -> tuple[int, str]:
    try:
        with urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except HTTPError as error:
        return error.code, error.read().decode()


def test_serve_shows_the_fault_on_that_letters_page_only(fault) -> None:
    message, project = fault
    paths = Paths(project / "data", project / "templates", project / "output")
    with serving(paths, 2021, port=0) as live:
        status, page = _get(live.url + "faulty")
        assert status == 422
        assert message.replace("'", "&#39;") in page
        assert _get(live.url + "good")[0] == 200
        assert _get(live.url)[0] == 200


def test_check_reports_the_case_as_an_error_and_checks_the_others(fault) -> None:
    message, _ = fault
    run = invoke("check", "2021")
    assert run.code == 1, run.stderr
    assert re.search(rf"^ERROR +2021/faulty: {re.escape(message)}", run.stdout, re.M), run.stdout
    assert re.search(r"^NEW +2021/good", run.stdout, re.M), run.stdout
