"""`lgo-letters import`: real CSV and XLSX files in, records changed in place (or not)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook

from lgo_letters.exchange.matching import new_slugs, short_slug
from lgo_letters.exchange.values import to_count
from lgo_letters.schema.names import name_key
from tests.errorcases import Run, invoke
from tests.exchange_helpers import YEAR, make_year, record, write_record

# A record as a person keeps it: comments, a folded paragraph, quotes, a flow list.
HAND_WRITTEN = """\
# Figures checked with the link officer, 2 July.
name: "Dartford Borough Council"   # as on the council's letterhead
type: district
recipients: [Mrs Martin]
role: 'Director of Corporate Services and Chief Officer'
statistics:
  investigations: 4   # one late addition
  upheld: 3
  satisfactory_remedies: 0
  compliance_outcomes: 3
  complied: 3
late_remedies: 2
late_remedies_detail: >-
  We recognise in one of those cases the Council could not provide the personal remedy
  within the timescale we requested.
comments:
  - A bespoke paragraph, written by hand; keep it.
draft: true
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    make_year(
        tmp_path,
        {
            "bexley": record("London Borough of Bexley", "london", code="E09000004"),
            "st-helens": record("St Helens Borough Council", "metropolitan"),
        },
    )
    (tmp_path / "data" / str(YEAR) / "councils" / "dartford.yaml").write_text(HAND_WRITTEN)
    return tmp_path


def councils(root: Path) -> Path:
    return root / "data" / str(YEAR) / "councils"


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(councils(root).iterdir())}


def run_import(root: Path, *args: str) -> Run:
    return invoke(
        "import",
        str(YEAR),
        *args,
        "--data",
        str(root / "data"),
        "--templates",
        str(root / "templates"),
    )


def write_xlsx(file: Path, rows: list[list[object]], title: str = "Statistics") -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    workbook.save(file)
    return file


def write_csv(file: Path, rows: list[list[object]], encoding: str = "utf-8", **kw) -> Path:
    with file.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, **kw).writerows(rows)
    return file


FIGURES_HEADER = [
    "Council",
    "ONS Code",
    "Detailed investigations",
    "Upheld",
    "Satisfactory remedies",
    "Compliance outcomes",
    "Complied",
]


def test_xlsx_with_title_rows_and_excel_floats_changes_only_given_fields(root: Path) -> None:
    before = (councils(root) / "dartford.yaml").read_text()
    figures = write_xlsx(
        root / "figures.xlsx",
        [
            ["Annual review figures 2020/21"],  # title rows above the header
            [],
            FIGURES_HEADER,
            ["Dartford Borough Council", "E07000107", 5.0, 4.0, 1, "3", 3],
            ["London Borough of Bexley", "E09000004", 8, 5, 1, 4, 4],
            [None, None, None],  # trailing blank rows
            [],
        ],
    )
    result = run_import(root, str(figures))
    assert result.code == 0, result.stderr
    assert (
        "dartford: code added (E07000107), statistics.investigations 4 → 5, "
        "statistics.upheld 3 → 4, statistics.satisfactory_remedies 0 → 1" in result.stdout
    )
    assert "not in any file (1): st-helens" in result.stdout
    assert "1 record(s) changed (4 field(s)), 0 created, 1 unchanged" in result.stdout
    after = (councils(root) / "dartford.yaml").read_text()
    # Every other line as it was, byte for byte: comments, quotes, paragraphs, draft.
    # The code goes where the record format lists it: after role.
    expected = before.replace(
        "role: 'Director of Corporate Services and Chief Officer'\n",
        "role: 'Director of Corporate Services and Chief Officer'\ncode: E07000107\n",
    )
    expected = (
        expected.replace("  investigations: 4   #", "  investigations: 5   #")
        .replace("  upheld: 3\n", "  upheld: 4\n")
        .replace("  satisfactory_remedies: 0\n", "  satisfactory_remedies: 1\n")
    )
    assert after == expected
    # Importing the same file again changes nothing.
    again = snapshot(root)
    result = run_import(root, str(figures))
    assert result.code == 0 and "0 record(s) changed" in result.stdout
    assert snapshot(root) == again


def test_bytes_a_yaml_round_trip_would_change_are_kept(root: Path) -> None:
    # A document marker, trailing spaces, statistics indented by four, a blank line after
    # them, two block lists in different styles: ruamel's round trip would change each.
    # The import splices its edits into the text instead, so only the edited lines change.
    text = (
        "---\n"
        "name: London Borough of Bexley   \n"
        "type: london\n"
        "recipients:\n"
        "  - Ms Example\n"
        "role: Chief Executive\n"
        "code: E09000004\n"
        "statistics:\n"
        "    investigations: 8\n"
        "    upheld: 5\n"
        "    satisfactory_remedies: 1\n"
        "    compliance_outcomes: 4\n"
        "    complied: 4\n"
        "\n"
        "comments:\n"
        "- A paragraph written by hand.\n"
    )
    (councils(root) / "bexley.yaml").write_text(text)
    figures = write_csv(
        root / "figures.csv",
        [["Code", "Upheld", "Recipients", "Email"], ["E09000004", 6, "Ms New", "ce@bexley.gov.uk"]],
    )
    result = run_import(root, str(figures))
    assert result.code == 0, result.stderr
    assert (councils(root) / "bexley.yaml").read_text() == (
        text.replace("  - Ms Example\n", "  - Ms New\n")
        .replace("code: E09000004\n", "code: E09000004\nemail: ce@bexley.gov.uk\n")
        .replace("    upheld: 5\n", "    upheld: 6\n")
    )


def test_figures_and_contacts_files_are_joined_on_the_council(root: Path) -> None:
    figures = write_xlsx(
        root / "figures.xlsx",
        [FIGURES_HEADER, ["St. Helens  Borough Council", None, 9, 2, 0, 1, 1]],
        title="Figures",
    )
    contacts = write_csv(
        root / "contacts.csv",
        [
            ["Authority", "Job title", "Recipients", "Email", "CC"],
            [
                "ST HELENS BOROUGH COUNCIL",
                "Chief Executive",
                "Ms Jane Doe",
                "ce@sthelens.gov.uk",
                "link@sthelens.gov.uk; leader@sthelens.gov.uk",
            ],
        ],
    )
    result = run_import(root, str(figures), str(contacts), "--sheet", "Figures")
    assert result.code == 0, result.stderr
    text = (councils(root) / "st-helens.yaml").read_text()
    assert "email: ce@sthelens.gov.uk\n" in text
    assert "cc: [link@sthelens.gov.uk, leader@sthelens.gov.uk]\n" in text
    assert "recipients:\n- Ms Jane Doe\nrole: Chief Executive\n" in text  # block list kept
    assert "  investigations: 9\n" in text


def test_windows_1252_csv_is_detected_and_said(root: Path) -> None:
    contacts = write_csv(
        root / "contacts.csv",
        [["Council", "Role"], ["London Borough of Bexley", "Directeur Général"]],
        encoding="cp1252",
    )
    result = run_import(root, str(contacts))
    assert result.code == 0, result.stderr
    assert "read as Windows-1252" in result.stderr
    assert "role: Directeur Général\n" in (councils(root) / "bexley.yaml").read_text()


def test_csv_with_bom_and_semicolons(root: Path) -> None:
    file = root / "figures.csv"
    file.write_bytes("\ufeffcode;upheld;investigations\r\nE09000004;6;10\r\n;;\r\n".encode("utf-8"))
    result = run_import(root, str(file))
    assert result.code == 0, result.stderr
    assert "bexley: statistics.investigations 8 → 10, statistics.upheld 5 → 6" in result.stdout


def test_every_problem_is_located_and_nothing_is_written(root: Path) -> None:
    before = snapshot(root)
    figures = write_xlsx(
        root / "figures.xlsx",
        [
            ["Figures"],
            FIGURES_HEADER,
            ["Dartford Borough Council", None, 12.5, "n/a", "-", -2, "#DIV/0!"],
            ["London Borough of Bexley", "E09000004", 8, 5, 1, 4, 4],
            ["Nowhere District Council", None, 1, 1, 1, 1, 1],
            ["london borough of bexley", None, 8, 5, 1, 4, 4],
        ],
    )
    contacts = write_csv(
        root / "contacts.csv",
        [
            ["Council", "Email", "Type", "Code"],
            ["St Helens Borough Council", "jo@", "Parish", "X123"],
        ],
    )
    result = run_import(root, str(figures), str(contacts))
    assert result.code == 1
    lines = result.stderr.splitlines()
    xlsx = f"{root / 'figures.xlsx'}[Statistics]"
    expected = [
        f"{xlsx}!C3: statistics.investigations: 12.5 is not a count (not a whole number)",
        f"{xlsx}!D3: statistics.upheld: 'n/a' is not a count",
        f"{xlsx}!E3: statistics.satisfactory_remedies: '-' is not a count",
        f"{xlsx}!F3: statistics.compliance_outcomes: -2 is not a count (negative)",
        f"{xlsx}!G3: statistics.complied: #DIV/0! is a formula error, not a count",
        f"1 row(s) match no council record in {councils(root)} (by code or name): "
        f"{xlsx}!A5 'Nowhere District Council'",
        f"{xlsx}!A6: a second row for 'london borough of bexley' (the first is {xlsx}!A4)",
        f"{root / 'contacts.csv'}:2: email: 'jo@' is not an email address",
        f"{root / 'contacts.csv'}:2: type: 'Parish' is not an authority type",
        f"{root / 'contacts.csv'}:2: code: 'X123' is not an ONS GSS code",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in lines), (start, result.stderr)
    assert "nothing written" in result.stderr
    assert snapshot(root) == before


def test_a_contradiction_is_located_at_the_cell_that_caused_it(root: Path) -> None:
    before = snapshot(root)
    figures = write_csv(root / "figures.csv", [["Council", "Upheld"], ["Dartford", "9"]])
    result = run_import(root, str(figures))
    assert result.code == 1
    assert "1 row(s) match no council record" in result.stderr  # "Dartford" is not its name
    figures = write_csv(
        root / "figures.csv", [["Council", "Upheld"], ["Dartford Borough Council", "9"]]
    )
    result = run_import(root, str(figures))
    assert result.code == 1
    assert (
        f"{root / 'figures.csv'}:2: statistics.upheld: 9 upheld decisions but only 4 "
        "detailed investigations" in result.stderr
    )
    assert snapshot(root) == before


def test_create_makes_a_record_with_a_slug_from_the_name(root: Path) -> None:
    (councils(root) / "dartford.yaml").unlink()
    rows = [
        [*FIGURES_HEADER, "Type", "Recipients", "Role"],
        [
            "Dartford Borough Council",
            "E07000107",
            4,
            3,
            0,
            3,
            3,
            "District",
            "Mrs Martin",
            "Chief Executive",
        ],
        [
            "Royal Borough of Kingston upon Thames",
            None,
            2,
            1,
            0,
            1,
            1,
            "London Borough",
            "Mr A; Ms B",
            "Chief Executives",
        ],
    ]
    figures = write_csv(root / "figures.csv", rows)
    assert run_import(root, str(figures)).code == 1  # no --create: no new records
    result = run_import(root, str(figures), "--create", "--dry-run")
    assert result.code == 0, result.stderr
    assert "created" in result.stdout and not (councils(root) / "dartford.yaml").exists()
    result = run_import(root, str(figures), "--create")
    assert result.code == 0, result.stderr
    assert (councils(root) / "dartford.yaml").is_file()
    kingston = (councils(root) / "kingston-upon-thames.yaml").read_text()
    assert "recipients: [Mr A, Ms B]\n" in kingston and "type: london\n" in kingston
    assert (
        invoke(
            "validate",
            str(YEAR),
            "--data",
            str(root / "data"),
            "--templates",
            str(root / "templates"),
        ).code
        == 0
    )


def test_a_mapping_file_names_other_columns_and_types(root: Path) -> None:
    mapping = root / "map.yaml"
    mapping.write_text("columns:\n  Dets: investigations\n  Notes: ignore\ntypes:\n  LB: london\n")
    figures = write_csv(
        root / "figures.csv",
        [["Council", "Dets", "Kind", "Notes"], ["London Borough of Bexley", "11", "LB", "x"]],
    )
    result = run_import(root, str(figures), "--mapping", str(mapping))
    assert result.code == 0, result.stderr
    assert "'Kind'" in result.stderr  # listed, not guessed
    assert "bexley: statistics.investigations 8 → 11" in result.stdout
    mapping.write_text("columns:\n  Kind: type\ntypes:\n  LB: london\n")
    result = run_import(root, str(figures), "--mapping", str(mapping))
    assert result.code == 0, result.stderr
    mapping.write_text("columns:\n  Dets: investigationz\n")
    result = run_import(root, str(figures), "--mapping", str(mapping))
    assert result.code == 1
    assert f"{mapping}:2: columns.Dets: 'investigationz' is not a field" in result.stderr


def test_export_then_import_changes_nothing(root: Path) -> None:
    write_record(
        root,
        "bexley",
        record(
            "London Borough of Bexley",
            "london",
            code="E09000004",
            email=["ce@bexley.gov.uk"],
            cc=["a@bexley.gov.uk", "b@bexley.gov.uk"],
            recipients=["Mr One", "Ms Two"],
            salutation="Dear colleagues",
        ),
    )
    before = snapshot(root)
    for name in ("year.csv", "year.xlsx"):
        target = root / name
        exported = invoke(
            "export",
            str(YEAR),
            "--to",
            str(target),
            "--data",
            str(root / "data"),
            "--templates",
            str(root / "templates"),
        )
        assert exported.code == 0, exported.stderr
        result = run_import(root, str(target))
        assert result.code == 0, result.stderr
        assert "0 record(s) changed (0 field(s)), 0 created, 3 unchanged" in result.stdout
        assert "not imported" not in result.stderr
        assert snapshot(root) == before


@pytest.mark.parametrize(
    ("cell", "count"), [("12", 12), (12, 12), (12.0, 12), (" 7 ", 7), ("3.0", 3)]
)
def test_counts_as_spreadsheets_hold_them(cell: object, count: int) -> None:
    assert to_count(cell) == count


@pytest.mark.parametrize("cell", [12.5, "n/a", "-", -1, "-3", "#DIV/0!", True, "twelve"])
def test_what_is_not_a_count(cell: object) -> None:
    with pytest.raises(ValueError):
        to_count(cell)


def test_the_slug_rule() -> None:
    assert short_slug("Dartford Borough Council") == "dartford"
    assert short_slug("London Borough of Bexley") == "bexley"
    assert short_slug("King's Lynn & West Norfolk Borough Council") == "kings-lynn-and-west-norfolk"
    assert short_slug("Durham County Council") == "durham"
    # Taken: the full name; then a number. Same names, same slugs, whatever the order.
    names = ["Durham County Council", "Durham City Council"]
    first = new_slugs(names, taken=["durham"])
    assert first == {"Durham County Council": "durham-county", "Durham City Council": "durham-city"}
    assert new_slugs(reversed(names), taken=["durham"]) == first
    assert name_key("St. Helens\u00a0 Borough\u200b Council") == name_key(
        "st helens borough council"
    )
    assert name_key("Brighton & Hove") == name_key("Brighton and Hove")


SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"


def test_the_sample_spreadsheets_in_the_readme_import(tmp_path: Path) -> None:
    root = make_year(tmp_path, {})
    year_file = root / "data" / str(YEAR) / "year.yaml"
    year_file.write_text(year_file.read_text() + "councils_list: councils.csv\n")
    (root / "data" / str(YEAR) / "councils.csv").write_bytes(
        (SAMPLES / "councils-2021.csv").read_bytes()
    )
    files = [str(SAMPLES / "figures-2021.xlsx"), str(SAMPLES / "contacts-2021.csv")]
    result = run_import(root, *files, "--create")
    assert result.code == 0, result.stderr
    assert "3 council(s) in 6 row(s) of 2 file(s); 0 record(s) changed" in result.stdout
    assert sorted(p.name for p in councils(root).iterdir()) == [
        "barnfield.yaml",
        "carrow.yaml",
        "dartford.yaml",
    ]
    validated = invoke(
        "validate", str(YEAR), "--data", str(root / "data"), "--templates", str(root / "templates")
    )
    assert validated.code == 0, validated.stderr
    assert "on the official list" not in validated.stderr
    # The mapping file's example parses and names real fields.
    mapping = run_import(root, files[1], "--mapping", str(SAMPLES / "mapping.yaml"), "--dry-run")
    assert mapping.code == 0, mapping.stderr


def test_file_level_problems_are_located(root: Path) -> None:
    before = snapshot(root)
    no_header = write_csv(root / "notes.csv", [["Some notes"], ["nothing", "here"]])
    workbook = write_xlsx(root / "figures.xlsx", [FIGURES_HEADER], title="Figures")
    result = run_import(root, str(no_header), str(workbook), "--sheet", "Stats")
    assert result.code == 1
    assert f"{no_header}: no header row found in the first 30 rows" in result.stderr
    assert f"{workbook}: no sheet named 'Stats' (sheets: Figures)" in result.stderr
    assert snapshot(root) == before


def test_files_that_disagree_or_codes_that_clash(root: Path) -> None:
    before = snapshot(root)
    figures = write_csv(
        root / "figures.csv",
        [["Council", "Upheld"], ["London Borough of Bexley", "4"]],
    )
    other = write_csv(
        root / "other.csv",
        [
            ["Council", "Upheld", "Code"],
            ["London Borough of Bexley", "5", ""],
            ["St Helens Borough Council", "", "E08000013"],
        ],
    )
    result = run_import(root, str(figures), str(other))
    assert result.code == 1
    assert (
        f"{other}:2: statistics.upheld: 5 here but 4 at {figures}:2: which is right?"
        in result.stderr
    )
    clash = write_csv(
        root / "clash.csv", [["Council", "Code"], ["London Borough of Bexley", "E09000099"]]
    )
    result = run_import(root, str(clash))
    assert result.code == 1
    assert f"{clash}:2: code: E09000099 here, but E09000004 in" in result.stderr
    assert snapshot(root) == before


def test_a_field_the_years_format_has_no_place_for(tmp_path: Path) -> None:
    root = make_year(tmp_path, {"bexley": record("London Borough of Bexley", "london")})
    # The 2020 letter has no late-remedies paragraph: the figure would be dropped unseen.
    (root / "data" / str(YEAR)).rename(root / "data" / "2020")
    figures = write_csv(
        root / "figures.csv",
        [["Council", "Remedies completed late"], ["London Borough of Bexley", "1"]],
    )
    result = invoke(
        "import",
        "2020",
        str(figures),
        "--data",
        str(root / "data"),
        "--templates",
        str(root / "templates"),
    )
    assert result.code == 1
    assert (
        f"{figures}:2: late_remedies: 2020's format ({root / 'templates/2020/format.yaml'}) "
        "has no place for late_remedies" in result.stderr
    )
