"""The year's figures table and `export`: every figure as the letter prints it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from lgo_letters.exchange.table import year_table
from lgo_letters.manifest import BuiltFile, Manifest
from lgo_letters.project import Paths, prepare_year
from tests.errorcases import invoke
from tests.exchange_helpers import YEAR, make_year, record, write_record


@pytest.fixture
def year_project(tmp_path: Path) -> Path:
    return make_year(
        tmp_path,
        {
            "dartford": record(
                "Dartford Borough Council",
                code="E07000107",
                email=["ce@dartford.gov.uk"],
                cc=["link@dartford.gov.uk", "leader@dartford.gov.uk"],
                late_remedies=1,
            ),
            "quiet": record(
                "Quiet District Council",
                statistics={
                    "investigations": 0,
                    "upheld": 0,
                    "satisfactory_remedies": 0,
                    "compliance_outcomes": 0,
                    "complied": 0,
                },
                draft=True,
            ),
            "shire-a": record("Shire A County Council", "county"),
            "shire-b": record(
                "Shire B County Council",
                "county",
                statistics={"investigations": 3, "upheld": 1, "satisfactory_remedies": 0},
                recipients=["Mr One", "Ms Two"],
            ),
        },
    )


def _paths(root: Path) -> Paths:
    return Paths(root / "data", root / "templates", root / "output")


def test_rows_hold_what_the_letters_print(year_project: Path) -> None:
    table = year_table(prepare_year(_paths(year_project), YEAR))
    rows = {row["slug"]: row for row in table.rows}
    assert list(rows) == ["dartford", "quiet", "shire-a", "shire-b"]
    dartford = rows["dartford"]
    # 5 of 8 = 62.5%, rounded half up as printed: 63.
    assert dartford["upheld_percent"] == 63
    assert dartford["compliance_percent"] == 100
    assert dartford["satisfactory_remedy_percent"] == 20
    assert (dartford["upheld_average"], dartford["averages"]) == (53, "given")
    assert dartford["code"] == "E07000107"
    assert dartford["cc"] == ["link@dartford.gov.uk", "leader@dartford.gov.uk"]
    assert dartford["late_remedies"] == 1
    assert dartford["training_courses"] is None
    # No cases: the letter says so, and the table leaves the rate empty, never 0.
    quiet = rows["quiet"]
    assert quiet["upheld_percent"] is None
    assert quiet["compliance_percent"] is None
    assert quiet["satisfactory_remedy_percent"] is None
    assert quiet["draft"] is True
    # Pooled: (5 + 1) upheld of (8 + 3) investigations = 54.5% → 55.
    assert rows["shire-a"]["averages"] == "pooled"
    assert rows["shire-a"]["upheld_average"] == rows["shire-b"]["upheld_average"] == 55
    assert rows["shire-b"]["recipients"] == ["Mr One", "Ms Two"]
    assert dartford["pdf_file"] is None and dartford["pdf_sha256"] is None


def test_letter_files_come_from_the_manifest(year_project: Path) -> None:
    out_dir = year_project / "output" / str(YEAR)
    pdf = BuiltFile(input="i" * 64, sha256="a" * 64, bytes=10, pages=2)
    manifest = Manifest(out_dir / "manifest.json", YEAR)
    dartford = out_dir / "dartford.pdf"
    manifest.recording("dartford", "Dartford Borough Council", dartford, pdf).write()
    result = invoke(
        "export",
        str(YEAR),
        "--to",
        str(year_project / "year.json"),
        "--data",
        str(year_project / "data"),
        "--templates",
        str(year_project / "templates"),
        "--out",
        str(year_project / "output"),
    )
    assert result.code == 0, result.stderr
    rows = {r["slug"]: r for r in json.loads((year_project / "year.json").read_text())["councils"]}
    assert rows["dartford"]["pdf_file"] == "dartford.pdf"
    assert rows["dartford"]["pdf_sha256"] == "a" * 64
    assert rows["dartford"]["html_file"] is None
    assert rows["quiet"]["pdf_sha256"] is None


def _export(root: Path, target: Path):
    return invoke(
        "export",
        str(YEAR),
        "--to",
        str(target),
        "--data",
        str(root / "data"),
        "--templates",
        str(root / "templates"),
        "--out",
        str(root / "output"),
    )


def test_csv_is_utf8_with_empty_cells_for_no_cases(year_project: Path) -> None:
    target = year_project / "figures.csv"
    assert _export(year_project, target).code == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = {r["slug"]: r for r in csv.DictReader(raw.decode("utf-8-sig").splitlines())}
    assert rows["quiet"]["upheld_percent"] == ""
    assert rows["quiet"]["draft"] == "yes"
    assert rows["dartford"]["upheld_percent"] == "63"
    assert rows["shire-b"]["recipients"] == "Mr One; Ms Two"


def test_xlsx_has_header_frozen_panes_and_number_formats(year_project: Path) -> None:
    target = year_project / "figures.xlsx"
    assert _export(year_project, target).code == 0
    sheet = load_workbook(target).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["slug", "name", "code", "type"]
    assert sheet.freeze_panes == "C2"
    assert sheet[1][0].font.bold
    upheld = sheet.cell(row=2, column=header.index("upheld_percent") + 1)
    assert (upheld.value, upheld.number_format) == (63, '0"%"')
    count = sheet.cell(row=2, column=header.index("investigations") + 1)
    assert (count.value, count.number_format) == (8, "0")
    assert sheet.cell(row=3, column=header.index("upheld_percent") + 1).value is None


def test_export_refuses_a_year_with_problems(year_project: Path) -> None:
    bad = year_project / "data" / str(YEAR) / "councils" / "quiet.yaml"
    bad.write_text(bad.read_text().replace("investigations: 0", "investigations: -1"))
    target = year_project / "figures.csv"
    result = _export(year_project, target)
    assert result.code == 1
    assert "quiet.yaml" in result.stderr and "no table written" in result.stderr
    assert not target.exists()


def test_export_names_the_formats_it_writes(year_project: Path) -> None:
    result = _export(year_project, year_project / "figures.txt")
    assert result.code == 2
    assert ".csv, .json, .xlsx" in result.stderr


def test_text_that_looks_like_a_formula_stays_text(year_project: Path) -> None:
    write_record(year_project, "quiet", record("Quiet District Council", role="=HYPERLINK(1)"))
    target = year_project / "figures.xlsx"
    assert _export(year_project, target).code == 0, "export failed"
    sheet = load_workbook(target).active
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=3, column=header.index("role") + 1)
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")
