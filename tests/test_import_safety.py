"""`import` under attack (issue 21): a figure never enters silently wrong, nothing is lost,
no input makes it crash (exit 70), and no file is too big to be refused quickly."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from lgo_letters.exchange.values import to_count
from tests.errorcases import invoke
from tests.exchange_helpers import YEAR, make_year, record
from tests.test_exchange_import import councils, run_import, snapshot, write_csv, write_xlsx

HASH = "0" * 64


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_year(
        tmp_path,
        {
            "bexley": record("London Borough of Bexley", "london", code="E09000004"),
            "hammersmith": record(
                "Hammersmith and Fulham London Borough Council", "london", code="E09000013"
            ),
        },
    )


def bexley(root: Path) -> str:
    return (councils(root) / "bexley.yaml").read_text()


# -- A figure silently wrong -------------------------------------------------------------------


def test_a_percentage_column_is_never_a_count(root: Path) -> None:
    figures = write_csv(
        root / "figures.csv",
        [
            ["Council", "Detailed investigations", "Number upheld", "Upheld %"],
            ["London Borough of Bexley", "10", "4", "54"],
        ],
    )
    result = run_import(root, str(figures))
    assert result.code == 0, result.stderr
    assert "upheld: 4\n" in bexley(root)
    assert "a percentage, rate or average is never a count" in result.stderr
    assert "'Upheld %'" in result.stderr
    for header in ("Upheld rate", "Average upheld", "upheld_percent", "Upheld ratio"):
        figures = write_csv(root / "figures.csv", [["Council", header], ["Bexley", "54"]])
        result = run_import(root, str(figures))
        assert "upheld: 54" not in bexley(root), header


def test_two_columns_that_could_be_one_field_are_refused_naming_both(root: Path) -> None:
    before = snapshot(root)
    figures = write_csv(
        root / "figures.csv",
        [["Council", "Upheld", "Number upheld"], ["London Borough of Bexley", "4", "5"]],
    )
    result = run_import(root, str(figures))
    assert result.code == 1
    assert "'Number upheld' (C) and 'Upheld' (B) could both be this field" in result.stderr
    assert snapshot(root) == before


def test_a_formula_without_a_saved_result_is_an_error_at_its_cell(root: Path) -> None:
    before = snapshot(root)
    # openpyxl writes formulas without computing them, as some exporters do.
    figures = write_xlsx(
        root / "figures.xlsx",
        [["Council", "Investigations", "Upheld"], ["London Borough of Bexley", 9, "=2+2"]],
    )
    result = run_import(root, str(figures))
    assert result.code == 1
    assert (
        f"{figures}[Statistics]!C2: statistics.upheld: holds a formula with no saved result "
        "('=2+2'): open and save the file in Excel or LibreOffice, or paste values" in result.stderr
    )
    assert "unchanged" not in result.stdout
    assert snapshot(root) == before


def test_excel_float_noise_is_the_whole_number() -> None:
    assert to_count(41.00000000000001) == 41
    assert to_count(40.99999999999999) == 41
    for wrong in (41.000001, 41.5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="not a count"):
            to_count(wrong)


def test_excel_float_noise_imports(root: Path) -> None:
    figures = write_xlsx(
        root / "figures.xlsx",
        [
            ["Council", "Investigations", "Upheld"],
            ["London Borough of Bexley", 41.00000000000001, 3],
        ],
    )
    result = run_import(root, str(figures))
    assert result.code == 0, result.stderr
    assert "investigations: 41\n" in bexley(root)


def test_a_name_that_differs_under_a_matching_code_is_warned_and_not_taken(root: Path) -> None:
    figures = write_xlsx(
        root / "figures.xlsx",
        [["Council", "Code", "Upheld"], ["Hammersmth and Fulham", "E09000013", 3]],
    )
    result = run_import(root, str(figures))
    assert result.code == 0, result.stderr
    assert (
        f"warning: {figures}[Statistics]!A2: name: 'Hammersmth and Fulham' here, but "
        "'Hammersmith and Fulham London Borough Council' in "
        f"{councils(root) / 'hammersmith.yaml'}:1 for the same code E09000013" in result.stderr
    )
    text = (councils(root) / "hammersmith.yaml").read_text()
    assert "name: Hammersmith and Fulham London Borough Council\n" in text
    assert "upheld: 3\n" in text


def _ledgers(root: Path) -> None:
    year_dir = root / "data" / str(YEAR)
    (year_dir / "approvals.yaml").write_text(
        f"bexley:\n  by: Jane Smith\n  at: '2021-07-20T10:00:00+00:00'\n"
        f"  pdf_sha256: {HASH}\n  html_sha256: {HASH}\n  inputs: {{input: {HASH}, record: "
        f"{HASH}, year: {HASH}, averages: {{}}, templates: {HASH}, engine: {HASH}}}\n"
    )
    (year_dir / "sent.yaml").write_text(
        "sent:\n- {council: hammersmith, at: '2021-07-22T09:00:00+00:00', message_id: '<1@x>', "
        f"to: [ce@hf.example], pdf_sha256: {HASH}}}\n"
    )


def test_approved_and_sent_councils_change_only_when_allowed(root: Path) -> None:
    _ledgers(root)
    before = snapshot(root)
    figures = write_csv(
        root / "figures.csv",
        [
            ["Code", "Upheld"],
            ["E09000004", "2"],
            ["E09000013", "1"],
        ],
    )
    dry = run_import(root, str(figures), "--dry-run")
    assert dry.code == 1
    lines = dry.stderr.splitlines()
    assert lines[0].startswith(
        "bexley: held back (give --allow-approved): approved by Jane Smith at "
        "2021-07-20T10:00:00+00:00: this import changes statistics.upheld 5 → 2"
    )
    assert lines[1].startswith(
        "hammersmith: held back (give --allow-approved): sent at 2021-07-22T09:00:00+00:00"
    )
    result = run_import(root, str(figures))
    assert result.code == 1
    assert "2 approved or sent council(s) would change: nothing written" in result.stderr
    assert snapshot(root) == before
    allowed = run_import(root, str(figures), "--allow-approved")
    assert allowed.code == 0, allowed.stderr
    assert "upheld: 2\n" in bexley(root)


# -- Data lost -------------------------------------------------------------------------------


def _new_council_rows(name: str) -> list[list[object]]:
    return [
        [
            "Council",
            "Type",
            "Recipients",
            "Role",
            "Investigations",
            "Upheld",
            "Satisfactory remedies",
            "Compliance outcomes",
            "Complied",
        ],
        [name, "District", "Ms A", "Chief Executive", 2, 1, 0, 1, 1],
    ]


def test_create_transliterates_and_never_overwrites_a_file(root: Path) -> None:
    kept = councils(root) / "москва.yaml"
    kept.write_text("# prose and comments someone wrote\nname: x\n")
    figures = write_csv(root / "figures.csv", _new_council_rows("Москва District Council"))
    result = run_import(root, str(figures), "--create")
    assert result.code == 0, result.stderr
    assert kept.read_text() == "# prose and comments someone wrote\nname: x\n"
    assert "name: Москва District Council\n" in (councils(root) / "moskva.yaml").read_text()
    # The same name again: the slug is taken, so the next one; never the same file.
    (councils(root) / "moskva.yaml").rename(councils(root) / "MOSKVA.yaml")
    result = run_import(root, str(figures), "--create")
    assert result.code == 0, result.stderr
    assert (councils(root) / "moskva-district.yaml").is_file()


def test_create_refuses_a_name_it_cannot_make_a_file_name_of(root: Path) -> None:
    before = snapshot(root)
    figures = write_csv(root / "figures.csv", _new_council_rows("· · ·"))
    result = run_import(root, str(figures), "--create")
    assert result.code == 1
    assert (
        f"{figures}:2: name: cannot make a file name (lower-case letters, digits and single "
        "hyphens) from '· · ·': add a `slug` column" in result.stderr
    )
    assert snapshot(root) == before
    rows = _new_council_rows("· · ·")
    rows[0].append("Slug")
    rows[1].append("civic-hall")
    figures = write_csv(root / "figures.csv", rows)
    result = run_import(root, str(figures), "--create")
    assert (councils(root) / "civic-hall.yaml").is_file(), result.stderr


# -- Crashes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '"Acting" Chief Executive',
        "Director: Place: Growth",
        "'Interim' Director",
        "@x",
        "[a",
        "*",
        "- x",
        "yes",
        "2021-07-01",
        "~",
        "{a: b}",
        "# not a comment",
        "0o17",
    ],
)
def test_text_cells_are_never_parsed(root: Path, text: str) -> None:
    figures = write_xlsx(
        root / "figures.xlsx", [["Council", "Role"], ["London Borough of Bexley", text]]
    )
    result = run_import(root, str(figures))
    assert result.code == 0, result.stderr
    validated = invoke(
        "validate", str(YEAR), "--data", str(root / "data"), "--templates", str(root / "templates")
    )
    assert validated.code == 0, validated.stderr
    import yaml

    assert yaml.safe_load(bexley(root))["role"] == text


@pytest.mark.parametrize(("byte", "name"), [(b"\x00", "U+0000"), (b"\x1b", "U+001B")])
def test_control_bytes_in_a_csv_are_located(root: Path, byte: bytes, name: str) -> None:
    before = snapshot(root)
    figures = root / "figures.csv"
    figures.write_bytes(b"Council,Role\nLondon Borough of Bexley,Chief" + byte + b"Exec\n")
    result = run_import(root, str(figures))
    assert result.code == 1
    assert f"{figures}:2: role: 'Chief\\u{name[2:].lower()}Exec' holds the control character" in (
        result.stderr
    )
    assert snapshot(root) == before


def _workbook_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_sheet_xml(workbook: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(item, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


BOMB = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Council,Upheld\nBexley,3\n", "not an XLSX workbook but text (a CSV file named .xlsx?)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000, "an encrypted (password-protected)"),
        (b"", "the file is empty"),
        (bytes(range(256)) * 20, "not an XLSX workbook (an XLSX file is a zip archive"),
        (b"PK\x03\x04" + b"\0" * 100, "a damaged XLSX workbook"),
        (
            _with_sheet_xml(
                _workbook_bytes([["Council", "Upheld"], ["Bexley", 3]]),
                lambda xml: xml.replace(b"<worksheet", BOMB + b"<worksheet", 1),
            ),
            "declares a DOCTYPE or entities",
        ),
        (
            _with_sheet_xml(
                _workbook_bytes([["Council", "Upheld"], ["Bexley", 3]]),
                lambda xml: xml.replace(b"<v>3</v>", b"<v>&undefined;</v>"),
            ),
            "not readable as an XLSX workbook",
        ),
    ],
    ids=[
        "renamed-csv",
        "encrypted-ole",
        "empty",
        "random",
        "damaged-zip",
        "entity-bomb",
        "undefined-entity",
    ],
)
def test_files_that_are_not_workbooks_are_refused(root: Path, content: bytes, message: str) -> None:
    before = snapshot(root)
    figures = root / "figures.xlsx"
    figures.write_bytes(content)
    result = run_import(root, str(figures))
    assert result.code == 1, result.stderr
    assert f"{figures}: " in result.stderr and message in result.stderr, result.stderr
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ("columns: [a, b]\n", ":1: columns: must be a mapping of keys to values, not a list"),
        ("types: 5\n", ":1: types: must be a mapping of keys to values, not 5"),
        ("- a\n", "must be a mapping with `columns:` and/or `types:`"),
        ("colums: {}\n", ":1: colums: unknown field; did you mean 'columns'?"),
        ("columns: {Dets: [a]}\n", ":1: columns.Dets: must be text, not a list"),
    ],
)
def test_odd_mapping_files_are_located(root: Path, mapping: str, message: str) -> None:
    file = root / "map.yaml"
    file.write_text(mapping)
    figures = write_csv(root / "figures.csv", [["Council", "Role"], ["Bexley", "CEO"]])
    result = run_import(root, str(figures), "--mapping", str(file))
    assert result.code == 1
    assert message in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Chief\u202eExecutive", "holds the bidirectional control U+202E"),
        ("Chief Executive 😀", "is not in the letter's font"),
        ("x" * 301, "is 301 characters long; at most 300 fit in a letter"),
    ],
)
def test_imported_text_passes_validates_checks_first(root: Path, text: str, message: str) -> None:
    before = snapshot(root)
    figures = write_xlsx(
        root / "figures.xlsx", [["Council", "Role"], ["London Borough of Bexley", text]]
    )
    result = run_import(root, str(figures))
    assert result.code == 1
    assert f"{figures}[Statistics]!B2: role: " in result.stderr and message in result.stderr
    assert snapshot(root) == before


# -- Too big ---------------------------------------------------------------------------------


@pytest.mark.slow  # makes and compresses a 200 MB cell (seconds)
def test_a_zip_bomb_is_refused_before_it_is_read(root: Path) -> None:
    big = "x" * 200_000_000  # 200 MB in one cell: a few hundred kilobytes compressed
    bomb = _with_sheet_xml(
        _workbook_bytes([["Council", "Role"], ["Bexley", "CEO"]]),
        lambda xml: xml.replace(b"CEO", big.encode()),
    )
    assert len(bomb) < 1_000_000
    figures = root / "figures.xlsx"
    figures.write_bytes(bomb)
    result = run_import(root, str(figures))
    assert result.code == 1
    assert "the workbook unpacks to 200 MB (at most 100 MB)" in result.stderr
    assert len(result.stderr) < 2_000  # never the cell


def test_a_long_cell_is_refused_and_never_printed(root: Path) -> None:
    figures = root / "figures.xlsx"  # openpyxl would not write it: Excel's limit is 32,767
    figures.write_bytes(
        _with_sheet_xml(
            _workbook_bytes([["Council", "Role"], ["London Borough of Bexley", "CEO"]]),
            lambda xml: xml.replace(b"CEO", b"y" * 40_000),
        )
    )
    result = run_import(root, str(figures))
    assert result.code == 1
    assert "the cell holds 40,000 characters (at most 32,767)" in result.stderr
    assert "y" * 100 not in result.stderr


def test_problems_are_bounded(root: Path) -> None:
    rows = [["Council", "Upheld"]] + [[f"Nowhere {i}", "n/a"] for i in range(3_000)]
    figures = write_csv(root / "figures.csv", rows)
    result = run_import(root, str(figures))
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert len(lines) < 210
    assert "… and 2,800 more problem(s)" in result.stderr
    assert "3,000 row(s) match no council record" in result.stderr
    assert "… and 2,995 more" in result.stderr
    assert "6,000 problem(s): nothing written" in lines[-1]


@pytest.mark.slow  # reads 100,000 rows
def test_too_many_rows_are_refused(root: Path) -> None:
    from lgo_letters.sheets import reader as sheets

    figures = root / "figures.csv"
    figures.write_text("Council,Upheld\n" + "x,1\n" * (sheets.MAX_ROWS + 1))
    result = run_import(root, str(figures))
    assert result.code == 1
    assert "more than 100,000 rows that hold something" in result.stderr


# -- Smaller ---------------------------------------------------------------------------------


def test_a_csv_mixing_utf8_and_windows_1252_is_refused_at_the_first_line_that_differs(
    root: Path,
) -> None:
    figures = root / "figures.csv"
    figures.write_bytes(
        "Council,Role\nLondon Borough of Bexley,Directeur Général\n".encode()
        + "Hammersmith and Fulham London Borough Council,Chief Exécutive\n".encode("cp1252")
    )
    result = run_import(root, str(figures))
    assert result.code == 1
    assert (
        f"{figures}: mixed encodings: line 2 is UTF-8 but line 3 is not (byte 0xe9)"
        in result.stderr
    )
