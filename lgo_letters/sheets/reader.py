"""Spreadsheet files as rows of cells, each cell knowing where a person finds it.

CSV in any common dialect (comma, semicolon, tab; quoted or not), UTF-8 with or without a
byte-order mark, or Windows-1252 as Excel's plain "CSV" export writes it (detected, and
said; a file mixing the two is refused at the first line that differs); XLSX read with
openpyxl in read-only mode, formulas read as their last computed values (a formula Excel
never computed is a problem at its cell, never a blank). CSV text cells that `export`
guarded against formula injection ("'=...") read as what was guarded
(lgo_letters.sheets.formulas). A cell is located as `figures.csv:14` (the line of its
row) or `figures.xlsx[Statistics]!D14`.

Spreadsheets are untrusted input, so their size is bounded before they are read: the file
(MAX_FILE_BYTES), a workbook once unpacked (MAX_UNPACKED_BYTES: a 300 KB zip bomb can
unpack to gigabytes), the rows (MAX_ROWS) and each cell (MAX_CELL_CHARACTERS). A workbook's
XML may declare no entities (billion laughs, external entities): it is checked before
openpyxl sees it, and openpyxl itself parses with defusedxml.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lgo_letters.sheets.formulas import unguard_formula
from lgo_letters.sheets.problems import CellProblem, SheetError

# A spreadsheet of 340 councils is tens of kilobytes; a file this big is not one.
MAX_FILE_BYTES = 50_000_000
# An XLSX workbook is a zip of XML files: what they may hold once unpacked, together.
MAX_UNPACKED_BYTES = 100_000_000
MAX_ZIP_MEMBERS = 10_000
# Rows that hold anything (blank rows are not counted): ample for 20,000 councils.
MAX_ROWS = 100_000
# Excel's own limit for one cell.
MAX_CELL_CHARACTERS = 32_767
_DELIMITERS = ",;\t|"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_ENTITIES = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
# A worksheet's XML holds formulas as <f> elements (maybe namespace-prefixed).
_FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s/>]")


@dataclass(frozen=True)
class UnsavedFormula:
    """An XLSX cell holding a formula whose result was never saved (the file was written by
    a program that does not compute formulas): its value is unknown, never blank."""

    formula: str

    def __str__(self) -> str:
        return self.formula


@dataclass(frozen=True)
class TooLong:
    """A cell longer than MAX_CELL_CHARACTERS: its problem is said once, at the cell."""

    length: int

    def __str__(self) -> str:
        return ""


@dataclass(frozen=True)
class Row:
    """One row of a sheet: its cells' values (None where blank) and where it stands."""

    number: int  # 1-based row number in the sheet (CSV: the line the row starts on)
    values: tuple[Any, ...]

    def value(self, index: int) -> Any:
        return self.values[index] if index < len(self.values) else None


@dataclass
class Sheet:
    file: Path
    sheet_name: str | None  # XLSX only
    rows: list[Row]
    notes: list[str] = field(default_factory=list)  # said to the person (e.g. the encoding)
    sha256: str = ""  # of the file's bytes, for provenance

    @property
    def label(self) -> str:
        """How the person names this sheet: figures.csv, figures.xlsx[Statistics]."""
        return f"{self.file}[{self.sheet_name}]" if self.sheet_name else str(self.file)

    def where(self, row: Row, column: int | None = None) -> str:
        if self.sheet_name is None:
            return f"{self.file}:{row.number}"
        return f"{self.label}!{self.cell(row, column or 0)}"

    def cell(self, row: Row, column: int) -> str:
        """The cell's name as a spreadsheet shows it (D14; in a CSV file, the column letter
        and the line its row starts on)."""
        return f"{column_letter(column)}{row.number}"


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (spreadsheet column names)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def read_sheet(file: Path, sheet_name: str | None = None) -> Sheet:
    """The rows of a CSV file, or of one sheet of an XLSX file (default: the first)."""
    import hashlib

    suffix = file.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        raw = _read_bytes(file)
        sheet = _read_xlsx(file, raw, sheet_name)
    elif suffix in (".csv", ".txt", ".tsv"):
        raw = _read_bytes(file)
        sheet = _read_csv(file, raw)
    else:
        raise _file_error(file, "cannot read this kind of file: give a .csv or .xlsx file")
    sheet.sha256 = hashlib.sha256(raw).hexdigest()
    return sheet


def _file_error(file: Path, message: str) -> SheetError:
    return SheetError([CellProblem(str(file), "", message)])


def _read_bytes(file: Path) -> bytes:
    from lgo_letters.schema.yaml_reader import read_regular_file

    try:
        raw = read_regular_file(file, MAX_FILE_BYTES)
    except OSError as error:
        raise _file_error(file, f"cannot read the file: {error.strerror}") from None
    except ValueError as error:
        raise _file_error(file, f"cannot read the file: it is {error}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise _file_error(
            file, f"the file is over {MAX_FILE_BYTES // 1_000_000} MB: not a year's figures"
        )
    if not raw:
        raise _file_error(file, "the file is empty")
    return raw


def _decode(raw: bytes) -> tuple[str, str | None]:
    """The text, and a note when it was not UTF-8. Excel's "CSV (Comma delimited)" writes
    Windows-1252, in which every byte sequence decodes, so UTF-8 is tried first: text that
    decodes as UTF-8 is almost never Windows-1252 with accents. A file in which some lines
    are UTF-8 (with accents) and others are not was pasted together from two sources: read
    either way, half of it would be wrong, so it is refused at the first line that differs."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        first_bad = error.start
    mixed = _mixed_encoding(raw, first_bad)
    if mixed is not None:
        raise ValueError(mixed)
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as error:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d: not cp1252 either
        raise ValueError(
            f"the file is neither UTF-8 nor Windows-1252 text (byte 0x{raw[error.start]:02x} "
            f"at byte {error.start}): save it as CSV UTF-8"
        ) from None
    return text, "read as Windows-1252 (Excel's plain CSV), not UTF-8"


def _mixed_encoding(raw: bytes, first_bad: int) -> str | None:
    """Why `raw` is a mix of UTF-8 and another encoding, or None if it is not."""
    utf8_line = None
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        utf8_line = number
        break
    if utf8_line is None:
        return None
    bad_line = raw.count(b"\n", 0, first_bad) + 1
    return (
        f"mixed encodings: line {utf8_line} is UTF-8 but line {bad_line} is not (byte "
        f"0x{raw[first_bad]:02x}), as when text from two files is pasted together: save the "
        "whole file as CSV UTF-8 and check line "
        f"{bad_line}"
    )


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
    except csv.Error:
        return csv.excel  # one column, or too little to tell: commas


def _too_many_rows(label: str) -> SheetError:
    return SheetError(
        [
            CellProblem(
                label,
                "",
                f"more than {MAX_ROWS:,} rows that hold something: not a year's figures "
                "(is it the right file or sheet?)",
            )
        ]
    )


def _cell(value: Any) -> Any:
    """A cell's value as read: None where blank, TooLong where over the limit."""
    if isinstance(value, str):
        if len(value) > MAX_CELL_CHARACTERS:
            return TooLong(len(value))
        if not value.strip():
            return None
    return value


def _read_csv(file: Path, raw: bytes) -> Sheet:
    try:
        text, note = _decode(raw)
    except ValueError as error:
        raise _file_error(file, str(error)) from None
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    rows: list[Row] = []
    start = 1
    try:
        for values in reader:
            # A cell `export` guarded against formula injection reads as it was written.
            cells = tuple(_cell(unguard_formula(v)) for v in values)
            if any(c is not None for c in cells):
                if len(rows) >= MAX_ROWS:
                    raise _too_many_rows(str(file))
                rows.append(Row(start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        reason = str(error)
        if "field larger than field limit" in reason:
            reason = f"a cell is longer than {MAX_CELL_CHARACTERS:,} characters"
        raise SheetError(
            [CellProblem(f"{file}:{reader.line_num}", "", f"not readable as CSV: {reason}")]
        ) from None
    sheet = Sheet(file, None, rows)
    if note:
        sheet.notes.append(f"{file}: {note}")
    return sheet


def _not_a_workbook(file: Path, raw: bytes) -> str | None:
    """Why `raw` is not an XLSX workbook that may be opened, or None. Checked before
    openpyxl sees it: the format, the size once unpacked, and entity declarations."""
    if raw.startswith(_OLE_MAGIC):
        return (
            "an encrypted (password-protected) workbook or an old .xls file: open it in Excel "
            "or LibreOffice and save it as .xlsx without a password"
        )
    if not raw.startswith(_ZIP_MAGIC):
        head = raw[:2000]
        if b"\0" not in head and (b"," in head or b";" in head or b"\t" in head):
            return "not an XLSX workbook but text (a CSV file named .xlsx?): name it .csv"
        return "not an XLSX workbook (an XLSX file is a zip archive; this is not one)"
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        return f"a damaged XLSX workbook ({error})"
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            return f"a workbook of {len(members):,} parts: not a year's figures"
        unpacked = sum(m.file_size for m in members)
        if unpacked > MAX_UNPACKED_BYTES:
            return (
                f"the workbook unpacks to {unpacked / 1e6:,.0f} MB (at most "
                f"{MAX_UNPACKED_BYTES // 1_000_000} MB): not a year's figures"
            )
        for member in members:
            if not member.filename.endswith((".xml", ".rels")):
                continue
            try:
                data = archive.read(member)  # at most its stated size, CRC checked
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as error:
                return f"a damaged XLSX workbook ({member.filename}: {error})"
            if _ENTITIES.search(data):
                return (
                    f"its XML ({member.filename}) declares a DOCTYPE or entities, which a "
                    "spreadsheet never needs (it is how XML bombs work): refused"
                )
    return None


def _has_formulas(raw: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return any(
            _FORMULA_ELEMENT.search(archive.read(m))
            for m in archive.infolist()
            if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml")
        )


def _read_xlsx(file: Path, raw: bytes, sheet_name: str | None) -> Sheet:
    reason = _not_a_workbook(file, raw)
    if reason is not None:
        raise _file_error(file, reason)
    try:
        return _workbook_rows(file, raw, sheet_name)
    except SheetError:
        raise
    except Exception as error:  # openpyxl on a damaged file: the file's fault, said plainly
        message = str(error).splitlines()[0][:200] if str(error) else ""
        raise _file_error(
            file, f"not readable as an XLSX workbook: {type(error).__name__}: {message}"
        ) from None


def _workbook_rows(file: Path, raw: bytes, sheet_name: str | None) -> Sheet:
    from openpyxl import load_workbook

    values = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    # Formulas as written, to tell a formula never computed from a blank cell.
    formulas = (
        load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
        if _has_formulas(raw)
        else None
    )
    try:
        names = values.sheetnames
        if not names:
            raise _file_error(file, "the workbook has no sheets")
        name = sheet_name if sheet_name is not None else names[0]
        if name not in names:
            raise _file_error(file, f"no sheet named '{name}' (sheets: {', '.join(names)})")
        label = f"{file}[{name}]"
        value_rows = values[name].iter_rows(values_only=True)
        formula_rows = formulas[name].iter_rows() if formulas is not None else None
        rows: list[Row] = []
        for number, row_values in enumerate(value_rows, start=1):
            formula_cells = next(formula_rows, ()) if formula_rows is not None else ()
            cells = tuple(
                _xlsx_cell(value, formula_cells[i] if i < len(formula_cells) else None)
                for i, value in enumerate(row_values)
            )
            if any(c is not None for c in cells):
                if len(rows) >= MAX_ROWS:
                    raise _too_many_rows(label)
                rows.append(Row(number, cells))
    finally:
        values.close()
        if formulas is not None:
            formulas.close()
    return Sheet(file, name, rows)


def _xlsx_cell(value: Any, formula_cell: Any) -> Any:
    if value is None and formula_cell is not None and getattr(formula_cell, "data_type", "") == "f":
        return UnsavedFormula(str(getattr(formula_cell.value, "text", formula_cell.value)))
    return _cell(value)
