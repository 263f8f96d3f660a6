"""Every figure accounted for (issue 23): import reports every problem at once, each figure
is traced to its cell, and this year is checked against last year."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import yaml

from tests.errorcases import Run, invoke
from tests.exchange.test_exchange_import import councils, run_import, snapshot, write_xlsx
from tests.exchange_helpers import YEAR, make_year, record

PREVIOUS = YEAR - 1


def folders(root: Path) -> list[str]:
    return ["--data", str(root / "data"), "--templates", str(root / "templates")]


def run(root: Path, *args: str) -> Run:
    return invoke(*args, *folders(root))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_year(
        tmp_path,
        {
            "bexley": record("London Borough of Bexley", "london", code="E09000004"),
            "carrow": record("Carrow District Council", statistics={"investigations": 30}),
            "denholm": record("Denholm District Council", statistics={"upheld": 2}),
        },
    )


# -- Import: every problem, once ----------------------------------------------------------------

HEADER = [
    "Council",
    "Code",
    "Type",
    "Recipients",
    "Role",
    "Email",
    "Detailed investigations",
    "Upheld",
    "Satisfactory remedies",
    "Compliance outcomes",
    "Complied",
]


def test_one_dry_run_reports_every_mistake_at_its_cell(root: Path) -> None:
    before = snapshot(root)
    figures = write_xlsx(
        root / "figures.xlsx",
        [
            ["Annual review figures"],
            HEADER,
            # 1. a value that is not a count
            ["London Borough of Bexley", "E09000004", None, None, None, None, 8, "n/a", 1, 4, 4],
            # 2. a rule between two cells: 9 upheld of 4 investigations
            ["Carrow District Council", None, None, None, None, None, 4, 9, 1, 4, 4],
            # 3. a rule with the record's own value: 5 satisfactory remedies, upheld 2 in
            #    the record (no upheld cell)
            ["Denholm District Council", None, None, None, None, None, None, None, 5, 4, 4],
            # 4. a new council lacking a count: at its blank cell
            ["Elmford District Council", None, "District", "Ms E", "CEO", None, 4, 2, None, 1, 1],
            # 5. an address that is not one
            ["Fenwick District Council", None, "District", "Mr F", "CEO", "jo@", 4, 2, 0, 1, 1],
            # 6. a type that is none
            ["Garth Council", None, "Parish", "Ms G", "CEO", None, 1, 0, 0, 0, 0],
            # 7. a formula never computed
            ["Hollin District Council", None, "District", "Mr H", "CEO", None, "=1+1", 0, 0, 0, 0],
        ],
        title="Figures",
    )
    result = run_import(root, str(figures), "--create", "--dry-run")
    assert result.code == 1
    at = f"{figures}[Figures]!"
    denholm = councils(root) / "denholm.yaml"
    expected = [
        f"{at}H3: statistics.upheld: 'n/a' is not a count",
        f"{at}H4: statistics.upheld: 9 upheld decisions but only 4 detailed investigations",
        f"{at}I5: statistics.satisfactory_remedies: 5 satisfactory remedies but only 2 upheld "
        f"decisions (statistics.upheld 2 in {denholm}:",
        f"{at}I6: statistics.satisfactory_remedies: 'Elmford District Council': this cell is "
        "blank, and a new record needs it",
        f"{at}F7: email: 'jo@' is not an email address",
        f"{at}C8: type: 'Parish' is not an authority type",
        f"{at}G9: statistics.investigations: holds a formula with no saved result",
    ]
    lines = result.stderr.splitlines()
    found = [
        next((i for i, line in enumerate(lines) if line.startswith(e)), None) for e in expected
    ]
    assert None not in found, (expected[found.index(None)], result.stderr)
    assert found == sorted(found)  # in the order of the rows
    assert lines[-1].endswith("7 problem(s): nothing written")
    assert (
        "2021: 7 row(s) read from 1 file(s); 3 council(s) matched, 4 created, 2 changed"
        in lines[-1]
    )
    assert snapshot(root) == before


def test_rows_that_match_no_record_are_one_summary(root: Path) -> None:
    rows = [["Council", "Upheld"], *([f"Nowhere {i} Council", 1] for i in range(12))]
    figures = write_xlsx(root / "figures.xlsx", rows)
    result = run_import(root, str(figures))
    assert result.code == 1
    matching = [line for line in result.stderr.splitlines() if "match no council" in line]
    assert len(matching) == 1
    assert matching[0].startswith(f"12 row(s) match no council record in {councils(root)}")
    assert f"{figures}[Statistics]!A2 'Nowhere 0 Council'" in matching[0]
    assert "… and 7 more: check their names and codes, or give --create" in matching[0]


# -- Provenance and trace ----------------------------------------------------------------------


def test_trace_names_each_imported_cell_and_a_hand_edit_since(root: Path) -> None:
    figures = write_xlsx(
        root / "figures-2021.xlsx",
        [["Council", "Investigations", "Upheld"], ["London Borough of Bexley", 12, 6]],
        title="Figures",
    )
    imported = run_import(root, str(figures), "--by", "Jane Smith")
    assert imported.code == 0, imported.stderr
    provenance = yaml.safe_load((root / "data" / str(YEAR) / "provenance.yaml").read_text())
    entry = provenance["councils"]["bexley"]["statistics.upheld"]
    assert entry["sheet"] == "Figures" and entry["cell"] == "C2" and entry["value"] == 6
    assert provenance["sources"][entry["source"]]["by"] == "Jane Smith"

    traced = run(root, "trace", str(YEAR), "bexley", "--json")
    assert traced.code == 0, traced.stderr
    figures_by_field = {f["field"]: f for f in json.loads(traced.stdout)}
    for field, cell, value in (
        ("statistics.investigations", "B2", 12),
        ("statistics.upheld", "C2", 6),
    ):
        source = figures_by_field[field]["source"]
        assert figures_by_field[field]["value"] == value
        assert (source["kind"], source["file"], source["sheet"], source["cell"]) == (
            "import",
            "figures-2021.xlsx",
            "Figures",
            cell,
        )
    typed = figures_by_field["statistics.complied"]["source"]
    assert typed["kind"] == "record" and typed["line"] is not None
    assert figures_by_field["rates.upheld"]["value"] == 50
    assert figures_by_field["averages.london.upheld"]["source"]["kind"] == "pooled"
    assert figures_by_field["facts.people_reached"]["source"]["kind"] == "year"

    record_file = councils(root) / "bexley.yaml"
    record_file.write_text(record_file.read_text().replace("  upheld: 6", "  upheld: 7"))
    text = run(root, "trace", str(YEAR), "bexley")
    assert (
        "statistics.upheld = 7: changed by hand since the import of "
        f"figures-2021.xlsx[Figures]!C2 (was 6): {record_file}:" in text.stdout
    )
    # The sources beside the letter, on a page of its own: the letter's file is untouched.
    preview = run(root, "preview", str(YEAR), "bexley", "--sources", "--out", str(root / "out"))
    assert preview.code == 0, preview.stderr
    letter = (root / "out" / str(YEAR) / "bexley.html").read_text()
    page = (root / "out" / str(YEAR) / "bexley.sources.html").read_text()
    assert "lgo-sources" not in letter and "lgo-sources" in page
    assert "figures-2021.xlsx[Figures]!B2" in page


def test_a_reimport_replaces_entries_and_an_interrupted_run_is_said(root: Path) -> None:
    first = write_xlsx(root / "a.xlsx", [["Council", "Upheld"], ["London Borough of Bexley", 4]])
    assert run_import(root, str(first)).code == 0
    second = root / "b.csv"
    second.write_text("Council,Upheld\nLondon Borough of Bexley,3\n")
    assert run_import(root, str(second)).code == 0
    provenance = yaml.safe_load((root / "data" / str(YEAR) / "provenance.yaml").read_text())
    entry = provenance["councils"]["bexley"]["statistics.upheld"]
    assert entry["line"] == 2 and entry["value"] == 3 and "sheet" not in entry
    assert list(provenance["sources"]) == [entry["source"]]  # a.xlsx's source went with it


# -- This year against last year -----------------------------------------------------------------


@pytest.fixture
def two_years(root: Path) -> Path:
    """2020 and 2021 of the same councils; in 2021 Bexley's upheld rate jumps (20% → 90%),
    Ashby is gone and Elmford is new."""
    shutil.copytree(root / "data" / str(YEAR), root / "data" / str(PREVIOUS))
    old = councils(root).parent.parent / str(PREVIOUS) / "councils"
    (old / "bexley.yaml").write_text(
        yaml.safe_dump(
            record(
                "London Borough of Bexley",
                "london",
                code="E09000004",
                statistics={"investigations": 10, "upheld": 2, "satisfactory_remedies": 1},
            )
        )
    )
    (old / "ashby.yaml").write_text(yaml.safe_dump(record("Ashby District Council")))
    (councils(root) / "bexley.yaml").write_text(
        yaml.safe_dump(
            record(
                "London Borough of Bexley",
                "london",
                code="E09000004",
                statistics={"investigations": 10, "upheld": 9, "satisfactory_remedies": 3},
            )
        )
    )
    (councils(root) / "elmford.yaml").write_text(yaml.safe_dump(record("Elmford District Council")))
    return root


def test_compare_flags_a_jump_and_a_vanished_council(two_years: Path) -> None:
    result = run(two_years, "compare", str(YEAR), "--json")
    assert result.code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["previous"] == PREVIOUS
    by = {c["slug"] or c["previous_slug"]: c for c in document["councils"]}
    bexley = by["bexley"]
    assert bexley["matched_by"] == "code"
    assert bexley["figures"]["upheld_percent"] == {"kind": "rate", "previous": 20, "current": 90}
    assert {
        "field": "upheld_percent",
        "rule": "rate",
        "message": "upheld rate 20% → 90%: moved 70 points (25 or more)",
        "checked": None,
    } in bexley["flags"]
    assert by["ashby"]["status"] == "gone"
    assert by["ashby"]["flags"][0]["rule"] == "gone"
    assert by["elmford"]["status"] == "new" and not by["elmford"]["flags"]
    assert not by["carrow"]["flags"]
    # validate ends with the open flags.
    validated = run(two_years, "validate", str(YEAR))
    assert validated.stderr.splitlines()[-1] == (
        f"2 year-on-year flag(s) to look at: `lgo-letters compare {YEAR} --flagged`"
    )


def test_a_checked_flag_is_shown_as_checked_not_hidden(two_years: Path) -> None:
    bexley = councils(two_years) / "bexley.yaml"
    bexley.write_text(
        bexley.read_text() + "checked:\n  upheld_percent: new complaints process, confirmed\n"
    )
    year_file = councils(two_years).parent / "year.yaml"
    year_file.write_text(
        year_file.read_text() + "checks:\n  checked:\n    ashby: merged into Elmford\n"
    )
    result = run(two_years, "compare", str(YEAR), "--flagged")
    assert result.code == 0, result.stderr
    assert (
        "  flag upheld_percent: upheld rate 20% → 90%: moved 70 points (25 or more) "
        "[checked: new complaints process, confirmed]" in result.stdout
    )
    assert "  flag gone: in 2020 (Ashby District Council), with no record in 2021 [checked: "
    assert "carrow" not in result.stdout  # no flag: not listed with --flagged
    assert "0 flag(s) open, 2 checked" in result.stderr
    assert "year-on-year" not in run(two_years, "validate", str(YEAR)).stderr
    # A flag the format has no figure for is an error, located.
    bexley.write_text(bexley.read_text() + "  upheld_pct: typo\n")
    bad = run(two_years, "validate", str(YEAR))
    assert f"{bexley}:" in bad.stderr and "checked.upheld_pct: not a year-on-year flag" in (
        bad.stderr
    )


def test_thresholds_come_from_year_yaml(two_years: Path) -> None:
    year_file = councils(two_years).parent / "year.yaml"
    year_file.write_text(year_file.read_text() + "checks:\n  rate_points: 80\n")
    document = json.loads(run(two_years, "compare", str(YEAR), "--json").stdout)
    bexley = next(c for c in document["councils"] if c["slug"] == "bexley")
    assert not [f for f in bexley["flags"] if f["rule"] == "rate"]
    year_file.write_text(year_file.read_text() + "  rate_pints: 3\n")
    bad = run(two_years, "compare", str(YEAR))
    assert "checks.rate_pints: unknown field; did you mean 'rate_points'?" in bad.stderr


def test_compare_as_csv_and_export_with_previous(two_years: Path) -> None:
    result = run(two_years, "compare", str(YEAR), "--csv")
    rows = {r["slug"] or r["previous_slug"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["bexley"]["upheld_percent_2020"] == "20"
    assert rows["bexley"]["upheld_percent_2021"] == "90"
    assert "upheld_percent: upheld rate 20% → 90%" in rows["bexley"]["open_flags"]
    assert rows["ashby"]["status"] == "gone"
    target = two_years / "figures.csv"
    exported = run(two_years, "export", str(YEAR), "--to", str(target), "--with-previous")
    assert exported.code == 0, exported.stderr
    table = {r["slug"]: r for r in csv.DictReader(io.StringIO(target.read_text("utf-8-sig")))}
    assert table["bexley"]["previous_upheld"] == "2"
    assert table["bexley"]["previous_upheld_percent"] == "20"
    assert table["bexley"]["previous_year"] == "2020"
    assert table["elmford"]["previous_slug"] == ""
    # Its extra columns are never imported back.
    again = run_import(two_years, str(target), "--dry-run")
    assert again.code == 0, again.stderr
    assert "0 changed" in again.stderr.splitlines()[-1]
