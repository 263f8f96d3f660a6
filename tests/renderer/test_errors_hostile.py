"""Hostile text renders literally (escaped, never run as markup or template), and one bad
record among a full year's 340 costs only its own letter."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.errorcases import element_names, run_process
from tests.projects import make_project
from tests.records import dartford, write_council
from tests.textutil import html_text, pdf_text

# Slow: builds in child processes (a whole letter with a PDF, and a year of 340 letters).
pytestmark = pytest.mark.slow

HOSTILE = {
    "name": '<script>alert("name")</script> & Co {{ 7*7 }}',
    "role": '<b>Chief</b> {% include "/etc/passwd" %}',
    "recipients": ["Mr <img src=x onerror=alert(1)>", "{{ config }}"],
    "salutation": 'Dear "{{ letter }}" & <i>all</i>,',
    "late_remedies_detail": "</p><h1>Injected</h1>{# a Jinja comment #} {{ '{{' }}",
    "comments": ['<a href="javascript:alert(1)">click</a>', "${7*7} %}{% endfor %}"],
}
HOSTILE_TEXTS = [
    HOSTILE["name"],
    HOSTILE["role"],
    *HOSTILE["recipients"],
    HOSTILE["salutation"],
    HOSTILE["late_remedies_detail"],
    *HOSTILE["comments"],
]


def hostile_record() -> dict:
    return dartford(**HOSTILE, late_remedies=1)


@pytest.fixture(scope="module")
def hostile_letter(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, bytes]:
    """The plain dartford letter's HTML, and the hostile record's HTML and PDF."""
    project = make_project(tmp_path_factory.mktemp("hostile"))
    plain = run_process("build", "2021", "--format", "html", cwd=project)
    assert plain.code == 0, plain.stderr
    plain_html = (project / "output/2021/dartford.html").read_text()
    write_council(project, "dartford", hostile_record())
    run = run_process("build", "2021", cwd=project)
    assert run.code == 0, run.stderr
    out = project / "output/2021"
    return plain_html, (out / "dartford.html").read_text(), (out / "dartford.pdf").read_bytes()


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_text_appears_literally_in_the_html(
    hostile_letter: tuple[str, str, bytes], text: str
) -> None:
    assert text in html_text(hostile_letter[1])


def test_hostile_text_adds_no_markup(hostile_letter: tuple[str, str, bytes]) -> None:
    plain_html, html, _ = hostile_letter
    assert element_names(html) == element_names(plain_html)
    for raw in ("<script", "<img src=x", "<b>", "<i>", "<h1>Injected", 'href="javascript'):
        assert raw not in html
    assert "49" not in html_text(html)  # {{ 7*7 }} was not evaluated


def test_hostile_text_appears_literally_in_the_pdf(hostile_letter: tuple[str, str, bytes]) -> None:
    text = pdf_text(hostile_letter[2])
    for hostile in HOSTILE_TEXTS:
        assert hostile in text


def _year_of_councils(project: Path, count: int) -> None:
    councils = project / "data/2021/councils"
    shutil.rmtree(councils)
    councils.mkdir()
    for n in range(count):
        write_council(project, f"council-{n:03d}", dartford(name=f"Council Number {n:03d}"))


def test_one_bad_record_among_340_costs_only_its_own_letter(project: Path) -> None:
    _year_of_councils(project, 340)
    bad = project / "data/2021/councils/council-123.yaml"
    bad.write_text(bad.read_text().replace("upheld: 3", "upheld: 5"))
    run = run_process("build", "2021", "--format", "html", cwd=project)
    assert run.code == 1
    assert run.problems() == [
        "data/2021/councils/council-123.yaml:7:3: statistics.upheld: 5 upheld decisions but "
        "only 4 detailed investigations"
    ]
    built = sorted(p.stem for p in (project / "output/2021").glob("*.html"))
    assert built == [f"council-{n:03d}" for n in range(340) if n != 123]
    assert "2021: 339 letter(s) built, 1 failed" in run.stderr
