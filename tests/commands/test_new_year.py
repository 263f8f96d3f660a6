"""Next July, tried for real: a made-up 2022 format made with `new-year` and edits to
templates/2022/ and data/2022/ only, in a temporary copy of the project."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from lgo_letters.letter import Letter, make_letter
from lgo_letters.project import Paths, prepare_year
from tests.errorcases import invoke
from tests.records import council, write_council
from tests.textutil import html_text
from tests.years import year_file

COUNCILS = {
    "ashby": council(name="Ashby District Council", code="E07000134", email="ceo@ashby.example"),
    "carrow": council(
        name="Carrow County Council",
        type="county",
        recipients=["Mr Carrow", "Ms Deputy"],
        statistics={"investigations": 20, "upheld": 12},
    ),
}

OPENING = (
    "<p>{{ paragraphs.opening_sentence(letter) }} This year our new opening "
    "says something else entirely.</p>"
)
PUBLIC_REPORTS = (
    '{% if letter.council.public_reports %}\n<p class="public-reports">We issued '
    '{{ letter.council.public_reports | counted("public report", words=True) }} about your '
    "Council this year.</p>\n{% endif %}\n"
)
FOURTH_PANEL = """{% block panels %}
{{ super() }}
{% call stats.panel("on-time", "Remedies completed on time", icon="compliance") %}
{% set rate = letter.rate("on_time") %}
<div class="panel-figure">
{% if rate.percent is none %}
<p class="headline">No remedies were due in this period.</p>
{% else %}
<p class="headline"><strong class="percent">{{ rate.percent }}%</strong> of remedies \
were completed on time.</p>
{% endif %}
{{ stats.comparison(rate) }}
</div>
{% endcall %}
{% endblock %}
"""


@pytest.fixture
def project(
    tmp_path: Path, new_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Bundled templates; made-up 2020 and 2021 records (none of data/). Commands run in
    it, with the default folders, as the team would."""
    monkeypatch.chdir(tmp_path)

    # The shared templates and 2020 and 2021's formats only: a real templates/2022 (once
    # the team adds it) is not the made-up one this test makes.
    new_project(data=None, years=(2020, 2021), template_years=(2020, 2021))
    for year in (2020, 2021):
        (tmp_path / "data" / str(year) / "year.yaml").write_text(year_file(year))
        for slug, record in COUNCILS.items():
            write_council(tmp_path, slug, record, year=year)
    cases = tmp_path / "data" / "2021" / "golden" / "cases"
    cases.mkdir(parents=True)
    write_council(tmp_path, "late", council(late_remedies=2), year=2021)
    (tmp_path / "data/2021/councils/late.yaml").rename(cases / "late.yaml")
    (cases.parent / "settings.yaml").write_text("sample_councils: [carrow]\n")
    (cases.parent / "ashby.txt").write_text("pdf sha256: 0\n\nlast year's golden record\n")
    return tmp_path


def folders(project: Path) -> list[str]:
    return ["--data", "data", "--templates", "templates"]


def letters(project: Path, year: int) -> dict[str, Letter]:
    prepared = prepare_year(Paths(project / "data", project / "templates"), year)
    made = {slug: make_letter(prepared, slug) for slug in prepared.letters}
    assert all(isinstance(letter, Letter) for letter in made.values()), made
    return made  # type: ignore[return-value]


def html_files(project: Path) -> dict[str, str]:
    return {
        f"{year}/{slug}": letter.html
        for year in (2020, 2021)
        for slug, letter in letters(project, year).items()
    }


def new_year(project: Path, *extra: str):  # type: ignore[no-untyped-def]
    return invoke("new-year", "2022", "--from", "2021", *folders(project), *extra)


def write_2022(project: Path) -> None:
    """The team's July edits: templates/2022/ and data/2022/ only."""
    template = project / "templates/2022/letter.html.j2"
    text = template.read_text()
    start = text.index("{% block opening %}")
    end = text.index("{% endblock %}", start)
    text = text[:start] + "{% block opening %}\n" + OPENING + "\n" + text[end:]
    text = text.replace(
        "{% block upheld_heading %}Complaints upheld{% endblock %}",
        "{% block upheld_heading %}Complaints we upheld{% endblock %}",
    )
    start = text.index("{% block statistics_note %}")
    text = text[:start] + "{% block statistics_note %}{% endblock %}\n" + FOURTH_PANEL
    text = text.replace(
        "{% block sections %}", "{% block sections %}\n" + PUBLIC_REPORTS.rstrip("\n"), 1
    )
    text = text.replace(
        '{% import "macros/paragraphs.html.j2" as paragraphs %}',
        '{% import "macros/paragraphs.html.j2" as paragraphs %}\n'
        '{% import "macros/statistics.html.j2" as stats %}',
    )
    template.write_text(text)

    format_file = project / "templates/2022/format.yaml"
    declared = yaml.safe_load(format_file.read_text())
    declared["statistics"]["remedies_recommended"] = {"type": "count"}
    declared["statistics"]["remedies_on_time"] = {
        "type": "count", "at_most": "remedies_recommended", "noun": "remedy on time",
    }  # fmt: skip
    declared["fields"]["public_reports"] = {"type": "count", "noun": "public report"}
    declared["averages"]["on_time"] = {"part": "remedies_on_time", "whole": "remedies_recommended"}
    format_file.write_text(yaml.safe_dump(declared, sort_keys=False))

    year = project / "data/2022/year.yaml"
    year.write_text(
        year.read_text().replace(
            "averages: {}",
            "averages:\n  district: {upheld: 50, compliance: 98, satisfactory_remedy: 15, "
            "on_time: 71}",
        )
    )
    for slug, record in COUNCILS.items():
        file = project / "data/2022/councils" / f"{slug}.yaml"
        kept = yaml.safe_load(file.read_text())
        assert kept.pop("draft") is True
        assert "statistics" not in kept
        kept["statistics"] = {
            **record["statistics"], "remedies_recommended": 8, "remedies_on_time": 6,
        }  # fmt: skip
        if slug == "ashby":
            kept["public_reports"] = 2
        file.write_text(yaml.safe_dump(kept, sort_keys=False))


def test_a_new_year_by_editing_only_its_own_folders(project: Path) -> None:
    before = html_files(project)

    dry = new_year(project, "--dry-run")
    assert dry.code == 0, dry.stderr
    assert "would create" in dry.stdout
    assert not (project / "templates/2022").exists()
    assert not (project / "data/2022").exists()

    run = new_year(project)
    assert run.code == 0, run.stderr
    # The checklist names last year's facts and each sentence with a figure.
    assert "facts.online_workshops: 21 is 2021's figure" in run.stdout
    assert "templates/2022/letter.html.j2" in run.stdout and "online workshops" in run.stdout
    # The golden checks' edge cases and settings carry over; last year's golden files do not.
    assert (project / "data/2022/golden/cases/late.yaml").is_file()
    assert (project / "data/2022/golden/settings.yaml").read_text() == (
        "sample_councils: [carrow]\n"
    )
    assert sorted(p.name for p in (project / "data/2022/golden").iterdir()) == [
        "cases",
        "settings.yaml",
    ]
    carried = yaml.safe_load((project / "data/2022/councils/ashby.yaml").read_text())
    assert carried == {
        "name": "Ashby District Council",
        "type": "district",
        "code": "E07000134",
        "recipients": ["Ms Example"],
        "role": "Chief Executive",
        "email": "ceo@ashby.example",
        "draft": True,
    }
    # Records without figures are not letters yet: validate says what to fill in.
    waiting = invoke("validate", "2022", *folders(project))
    assert waiting.code == 1
    assert any(p.endswith("statistics: required field is missing") for p in waiting.problems())

    again = new_year(project)
    assert again.code == 2
    assert "already exists" in again.stderr

    write_2022(project)
    assert invoke("validate", "2022", *folders(project)).code == 0

    made = letters(project, 2022)
    ashby = html_text(made["ashby"].html)
    assert "This year our new opening says something else entirely." in ashby
    assert "Complaints we upheld" in ashby and "Complaints upheld" not in ashby
    assert "Covid-19 pandemic, we did not accept new complaints" not in ashby
    assert "We issued two public reports about your Council this year." in ashby
    assert "Remedies completed on time 75% of remedies were completed on time." in ashby
    assert "This compares to an average of 71% in similar authorities." in ashby
    assert "We provided 21 online workshops" in ashby  # the fact, carried over as listed
    carrow = html_text(made["carrow"].html)
    assert "We issued" not in carrow
    # No county averages given: pooled from the year's counties (on time: 6 of 8).
    assert (
        "75% of remedies were completed on time. This compares to an average of 75% in "
        "similar authorities." in carrow
    )

    assert html_files(project) == before


def test_a_bad_public_reports_is_located(project: Path) -> None:
    assert new_year(project).code == 0
    write_2022(project)
    ashby = "data/2022/councils/ashby.yaml"
    text = (project / ashby).read_text()
    (project / ashby).write_text(text.replace("public_reports: 2", "public_reports: two"))
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "public_reports" in row)
    run = invoke("validate", "2022", *folders(project))
    assert run.code == 1
    assert run.problems() == [
        f"{ashby}:{line}:1: public_reports: must be a whole number, not 'two'",
    ]
    # The 2021 format has no place for it.
    earlier = project / "data/2021/councils/ashby.yaml"
    earlier.write_text(earlier.read_text() + "public_reports: 2\n")
    run = invoke("validate", "2021", *folders(project))
    assert run.problems() == [
        f"data/2021/councils/ashby.yaml:{len(earlier.read_text().splitlines())}:1: "
        "public_reports: 2021's format (templates/2021/format.yaml) has no place for "
        "public_reports"
    ]


def test_formats_diff_shows_wording_and_fields(project: Path) -> None:
    assert new_year(project).code == 0
    write_2022(project)
    run = invoke("formats", "diff", "2021", "2022", *folders(project))
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "~ Complaints {+we+} upheld" in lines, run.stdout
    assert "+ We issued 10 public reports about your Council this year." in lines
    assert any(line.startswith("- NOTE: To allow authorities") for line in lines)
    assert "+ fields.public_reports (type: count, noun: public report)" in lines
    assert "+ averages.on_time (part: remedies_on_time, whole: remedies_recommended)" in lines
    named = invoke("formats", "diff", "2021", "2022", "--council", "ashby", *folders(project))
    assert named.code == 0, named.stderr
    assert "+ We issued two public reports about your Council this year." in named.stdout


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("new-year", "99999", "--from", "2021"), "99999"),
        (("new-year", "0", "--from", "2021"), "0"),
        (("new-year", "2022", "--from", "0"), "0"),
    ],
)
def test_a_year_out_of_range_is_a_usage_error(
    project: Path, args: tuple[str, ...], named: str
) -> None:
    run = invoke(*args, *folders(project))
    assert run.code == 2, run.stderr
    assert f"error: {named} is not a letter year: a year has four digits" in run.stderr
    assert sorted(p.name for p in (project / "data").iterdir()) == ["2020", "2021"]


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_new_folders_get_the_permissions_the_users_umask_gives(project: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        assert new_year(project).code == 0
    finally:
        os.umask(previous)
    folders_made = [project / "templates/2022", project / "data/2022"]
    folders_made += [p for f in folders_made for p in f.rglob("*") if p.is_dir()]
    assert {f: stat.S_IMODE(f.stat().st_mode) for f in folders_made} == dict.fromkeys(
        folders_made, 0o777 & ~umask
    )
