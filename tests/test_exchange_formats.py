"""Formats as data in `export`, `import` and `averages`: a made-up 2022 format with a fourth
panel (its own counts and average) and a new count field, in a temporary project; and the
CSV guard against formula injection."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from lgo_letters.exchange.table import table_columns, year_table
from lgo_letters.project import Paths, prepare_year
from lgo_letters.renderer import Templates
from lgo_letters.sheets.formulas import guard_formula, unguard_formula
from tests.errorcases import Run, invoke
from tests.helpers import REPO
from tests.records import council
from tests.years import year_file

YEAR = 2022
# The fourth panel: remedies completed on time, of those recommended, with its own
# similar-authority average; and a count field with a title a spreadsheet would use.
FOURTH_PANEL = {
    "remedies_recommended": {"type": "count", "title": "Remedies due"},
    "remedies_on_time": {
        "type": "count",
        "at_most": "remedies_recommended",
        "noun": "remedy on time",
        "plural": "remedies on time",
        "title": "Remedies completed on time",
    },
}
PUBLIC_REPORTS = {"type": "count", "noun": "public report", "title": "Public reports issued"}
ON_TIME = {"on_time": {"part": "remedies_on_time", "whole": "remedies_recommended"}}
GIVEN = {"upheld": 50, "compliance": 98, "satisfactory_remedy": 15, "on_time": 71}


def _record(name: str, kind: str, recommended: int, on_time: int, **extra: Any) -> dict:
    data = council(name=name, type=kind, **extra)
    data["statistics"] |= {"remedies_recommended": recommended, "remedies_on_time": on_time}
    return data


COUNCILS = {
    "ashby": _record("Ashby District Council", "district", 8, 6, public_reports=2),
    "carrow": _record("Carrow County Council", "county", 5, 2, code="E10000020"),
    "dunmore": _record("Dunmore County Council", "county", 3, 3, email="ceo@dunmore.example"),
}


def write_format(root: Path, averages: object) -> None:
    """templates/2022: 2021's letter, with 2021's format plus the fourth panel."""
    shutil.copytree(REPO / "templates" / "2021", root / "templates" / str(YEAR))
    file = root / "templates" / str(YEAR) / "format.yaml"
    declared = yaml.safe_load(file.read_text())
    declared["statistics"] |= FOURTH_PANEL
    declared["fields"]["public_reports"] = PUBLIC_REPORTS
    declared["averages"] = averages
    file.write_text(yaml.safe_dump(declared, sort_keys=False))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The bundled shared templates, a made-up 2022 format and records (none of data/)."""
    shutil.copytree(
        REPO / "templates",
        tmp_path / "templates",
        ignore=lambda folder, names: (
            [n for n in names if n.isdigit()] if Path(folder) == REPO / "templates" else []
        ),
    )
    write_format(tmp_path, ["upheld", "compliance", "satisfactory_remedy", ON_TIME])
    folder = tmp_path / "data" / str(YEAR) / "councils"
    folder.mkdir(parents=True)
    text = year_file(2021, averages={"district": GIVEN}).replace("2021-", f"{YEAR}-")
    (folder.parent / "year.yaml").write_text(text)
    for slug, data in COUNCILS.items():
        (folder / f"{slug}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return tmp_path


def paths(root: Path) -> Paths:
    return Paths(root / "data", root / "templates", root / "output")


def folders(root: Path) -> list[str]:
    return ["--data", str(root / "data"), "--templates", str(root / "templates")]


def run(root: Path, command: str, *args: str) -> Run:
    return invoke(command, str(YEAR), *args, *folders(root))


def records(root: Path) -> dict[str, bytes]:
    folder = root / "data" / str(YEAR) / "councils"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_export_has_every_count_and_rate_the_format_declares(root: Path) -> None:
    prepared = prepare_year(paths(root), YEAR)
    assert prepared.problems == ()
    table = year_table(prepared)
    names = table.names
    for column in ("remedies_recommended", "remedies_on_time", "public_reports"):
        assert column in names
    assert names.index("complied") < names.index("remedies_recommended")
    assert names.index("remedies_on_time") < names.index("late_remedies")
    assert names[names.index("satisfactory_remedy_percent") + 1] == "on_time_percent"
    assert names[names.index("satisfactory_remedy_average") + 1] == "on_time_average"
    rows = {row["slug"]: row for row in table.rows}
    ashby, carrow = rows["ashby"], rows["carrow"]
    assert (ashby["remedies_recommended"], ashby["remedies_on_time"]) == (8, 6)
    assert (ashby["public_reports"], carrow["public_reports"]) == (2, None)
    # 6 of 8 is 75%; the district average is given in year.yaml.
    assert (ashby["on_time_percent"], ashby["on_time_average"]) == (75, 71)
    # Counties are pooled: (2 + 3) of (5 + 3) = 62.5% → 63, half up; 2 of 5 is 40%.
    assert (carrow["on_time_percent"], carrow["on_time_average"]) == (40, 63)
    assert rows["dunmore"]["on_time_average"] == 63 and carrow["averages"] == "pooled"
    # The very numbers the letter prints: the letter context's rate, not a second sum.
    letter = prepared.letters["carrow"]
    rate = letter.rate("remedies_on_time", "remedies_recommended", "on_time")
    assert (rate.percent, rate.average) == (40, 63)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_export_then_import_changes_nothing_with_a_fourth_panel(root: Path, suffix: str) -> None:
    target = root / f"year{suffix}"
    exported = run(root, "export", "--to", str(target))
    assert exported.code == 0, exported.stderr
    if suffix == ".json":
        document = yaml.safe_load(target.read_text())
        assert document["councils"][0]["on_time_percent"] == 75
        described = {c["name"]: c["description"] for c in document["columns"]}
        assert described["remedies_recommended"] == "Remedies due"  # its title
        assert described["remedies_on_time"] == "Remedies completed on time"
        assert described["on_time_percent"] == "on time rate as the letter prints it"
        return
    before = records(root)
    imported = run(root, "import", str(target))
    assert imported.code == 0, imported.stderr
    assert "0 record(s) changed (0 field(s)), 0 created, 3 unchanged" in imported.stdout
    assert "not imported" not in imported.stderr
    assert records(root) == before


def test_a_declared_field_is_imported_by_its_name_noun_or_title(root: Path) -> None:
    figures = root / "figures.csv"
    with figures.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(
            [
                ["Council", "Remedies due", "Remedies completed on time", "Public reports issued"],
                ["Ashby District Council", "9", "7", "3"],
                ["CARROW COUNTY COUNCIL", "5.0", "n/a", ""],
            ]
        )
    failed = run(root, "import", str(figures))
    assert failed.code == 1
    assert f"{figures}:3: statistics.remedies_on_time: 'n/a' is not a count" in failed.stderr
    figures.write_text(figures.read_text().replace("n/a", "4"))
    imported = run(root, "import", str(figures))
    assert imported.code == 0, imported.stderr
    assert "ashby: statistics.remedies_recommended 8 → 9" in imported.stdout
    ashby = yaml.safe_load((root / "data/2022/councils/ashby.yaml").read_text())
    assert ashby["statistics"]["remedies_on_time"] == 7 and ashby["public_reports"] == 3
    carrow = yaml.safe_load((root / "data/2022/councils/carrow.yaml").read_text())
    assert carrow["statistics"]["remedies_on_time"] == 4 and "public_reports" not in carrow

    # By its name in a header, and by its name in a mapping file.
    figures.write_text("Council,Public Reports,On-time\nAshby District Council,1,6\n")
    mapping = root / "map.yaml"
    mapping.write_text("columns:\n  On-time: remedies_on_time\n")
    imported = run(root, "import", str(figures), "--mapping", str(mapping))
    assert imported.code == 0, imported.stderr
    ashby = yaml.safe_load((root / "data/2022/councils/ashby.yaml").read_text())
    assert (ashby["public_reports"], ashby["statistics"]["remedies_on_time"]) == (1, 6)

    # By its noun's plural as the format gives it ("remedies on time", not "remedy on times").
    figures.write_text("Council,Remedies on time\nAshby District Council,5\n")
    imported = run(root, "import", str(figures))
    assert imported.code == 0, imported.stderr
    ashby = yaml.safe_load((root / "data/2022/councils/ashby.yaml").read_text())
    assert ashby["statistics"]["remedies_on_time"] == 5


def test_a_new_record_needs_the_formats_statistics(root: Path) -> None:
    figures = root / "figures.csv"
    figures.write_text(
        "Council,Type,Recipients,Role,Investigations,Upheld,Satisfactory remedies,"
        "Compliance outcomes,Complied\n"
        "Elmford District Council,District,Ms E,Chief Executive,4,2,1,1,1\n"
    )
    result = run(root, "import", str(figures), "--create")
    assert result.code == 1
    for count in ("remedies_recommended", "remedies_on_time"):
        assert (
            f"{figures}:2: statistics.{count}: 'Elmford District Council': a new record needs "
            "it, and no file has a column for it" in result.stderr
        )


def test_the_averages_command_shows_every_declared_rate(root: Path) -> None:
    result = run(root, "averages")
    assert result.code == 0, result.stderr
    assert "on time" in result.stdout
    lines = {line.split()[1]: line for line in result.stdout.splitlines() if "│" in line}
    assert "71% / 75%" in lines["district"]  # given; pooled from Ashby alone: 6 of 8
    assert "– / 63%" in lines["county"]


def test_the_serve_index_has_a_column_for_every_declared_rate(root: Path) -> None:
    from urllib.request import urlopen

    from lgo_letters.serve import serving
    from tests.textutil import html_text

    with serving(paths(root), YEAR, port=0) as live, urlopen(live.url, timeout=30) as response:
        page = response.read().decode()
    councils = page.split('<table class="councils">', 1)[1]
    head = html_text(councils.split("<thead>", 1)[1].split("</thead>", 1)[0])
    assert head.split() == [
        "Council", "Type", "Upheld", "Compliance", "Satisfactory", "remedy", "On", "time",
        "Draft", "Problems", "PDF",
    ]  # fmt: skip
    ashby = page.split('id="council-ashby"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="number on-time">75%</td>' in ashby  # 6 of 8 remedies on time


def test_a_rate_must_name_counts_of_the_format(root: Path) -> None:
    file = root / "templates" / str(YEAR) / "format.yaml"
    shutil.rmtree(file.parent)
    write_format(root, {"upheld": {"part": "upheld", "whole": "investigations"}, "on_time": {}})
    result = run(root, "validate")
    assert result.code == 2
    assert "averages.on_time.part: required field is missing" in result.stderr
    shutil.rmtree(file.parent)
    write_format(root, ["upheld", {"on_time": {"part": "remedies_late", "whole": "upheld"}}])
    result = run(root, "validate")
    assert result.code == 2
    assert "averages.on_time.part: 'remedies_late' is not a count of this format" in result.stderr
    shutil.rmtree(file.parent)
    write_format(root, ["upheld", "on_time"])
    result = run(root, "validate")
    assert result.code == 2
    assert "averages: 'on_time' is not a standard rate" in result.stderr
    assert "- on_time: {part: <count>, whole: <count>}" in result.stderr


@pytest.mark.parametrize(
    "averages",
    [
        ["upheld", ON_TIME],
        {"upheld": {"part": "upheld", "whole": "investigations"}, **ON_TIME},
        ["upheld", "compliance"],
    ],
)
def test_each_form_of_averages_passes_the_editors_schema(root: Path, averages: object) -> None:
    file = root / "templates" / str(YEAR) / "format.yaml"
    shutil.rmtree(file.parent)
    write_format(root, averages)
    written = invoke("formats", "schema", str(YEAR), *folders(root), "--out", str(root / "output"))
    assert written.code == 0, written.stderr
    schema = json.loads((root / "output/schema/2022/format.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(yaml.safe_load(file.read_text()))) == []
    wrong = yaml.safe_load(file.read_text()) | {"averages": [{"on_time": {"part": "x"}}]}
    assert list(validator.iter_errors(wrong))


@pytest.mark.parametrize("year", [2020, 2021])
def test_the_bundled_formats_columns_are_as_before(year: int) -> None:
    declared = Templates(REPO / "templates").letter_format(year).format.declared
    counts = ["investigations", "upheld", "satisfactory_remedies", "compliance_outcomes"]
    counts += ["complied"] + (["late_remedies", "training_courses"] if year == 2021 else [])
    rates = ["upheld", "compliance", "satisfactory_remedy"]
    assert [c.name for c in table_columns(declared)] == [
        *("slug", "name", "code", "type", "recipients", "role", "salutation", "email", "cc"),
        *counts,
        *(f"{rate}_percent" for rate in rates),
        *(f"{rate}_average" for rate in rates),
        *("averages", "draft", "html_file", "html_sha256", "pdf_file", "pdf_sha256"),
    ]


# -- formula injection ------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x.example")', "+1", "-1", "@SUM(A1)", "\tTab", "=1+1"]
GUARDED_LOOKING = ["'=already", "''", "'+", "'-'"]
PLAIN = ["Chief Executive", "O'Brien", "'Quoted'", "x=1", "", "'", "1-2"]


@pytest.mark.parametrize("text", FORMULAS + GUARDED_LOOKING + PLAIN)
def test_guarding_a_cell_is_undone_exactly(text: str) -> None:
    guarded = guard_formula(text)
    assert unguard_formula(guarded) == text
    assert not guarded.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert (guarded == text) == (text in PLAIN)


def test_csv_export_guards_formulas_and_import_reads_them_back(root: Path) -> None:
    ashby = root / "data/2022/councils/ashby.yaml"
    data = yaml.safe_load(ashby.read_text())
    data |= {
        "name": '=HYPERLINK("http://evil.example","Ashby")',
        "role": "-Chief Executive",
        "recipients": ["@Ms Example", "+Mr Other"],
        "salutation": "'=Dear all",
    }
    ashby.write_text(yaml.safe_dump(data, sort_keys=False))
    target = root / "year.csv"
    assert run(root, "export", "--to", str(target)).code == 0
    rows = {r["slug"]: r for r in csv.DictReader(target.read_text("utf-8-sig").splitlines())}
    cells = rows["ashby"]
    assert cells["name"] == '\'=HYPERLINK("http://evil.example","Ashby")'
    assert cells["role"] == "'-Chief Executive"
    assert cells["recipients"] == "'@Ms Example; +Mr Other"
    assert cells["salutation"] == "''=Dear all"
    # Numbers are numbers, never guarded.
    assert cells["investigations"] == "10" and cells["upheld_percent"] == "50"

    before = records(root)
    imported = run(root, "import", str(target))
    assert imported.code == 0, imported.stderr
    assert "0 created, 3 unchanged" in imported.stdout
    assert records(root) == before

    # A guarded cell typed into a spreadsheet reads as the text it guards.
    typed = root / "typed.csv"
    typed.write_text("Slug,Role\ncarrow,'=Director\n")
    assert run(root, "import", str(typed)).code == 0
    carrow = yaml.safe_load((root / "data/2022/councils/carrow.yaml").read_text())
    assert carrow["role"] == "=Director"
