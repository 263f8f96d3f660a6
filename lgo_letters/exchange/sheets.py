"""Spreadsheet files as rows of cells, each cell knowing where a person finds it.

CSV in any common dialect (comma, semicolon, tab; quoted or not), UTF-8 with or without a
byte-order mark, or Windows-1252 as Excel's plain "CSV" export writes it (detected, and
said); XLSX read with openpyxl in read-only mode, formulas read as their last computed
values. CSV text cells that `export` guarded against formula injection ("'=...") read as
what was guarded (lgo_letters.exchange.formulas). A cell is located as `figures.csv:14`
(the line of its row) or `figures.xlsx[Statistics]!D14`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lgo_letters.exchange.formulas import unguard_formula
from lgo_letters.exchange.problems import CellProblem, SheetError

# A spreadsheet of 340 councils is tens of kilobytes; a file this big is not one.
MAX_FILE_BYTES = 50_000_000
_DELIMITERS = ",;\t|"


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

    @property
    def label(self) -> str:
        """How the person names this sheet: figures.csv, figures.xlsx[Statistics]."""
        return f"{self.file}[{self.sheet_name}]" if self.sheet_name else str(self.file)

    def where(self, row: Row, column: int | None = None) -> str:
        if self.sheet_name is None:
            return f"{self.file}:{row.number}"
        return f"{self.label}!{column_letter(column or 0)}{row.number}"


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
    suffix = file.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(file, sheet_name)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(file)
    raise SheetError(
        [CellProblem(str(file), "", "cannot read this kind of file: give a .csv or .xlsx file")]
    )


def _read_bytes(file: Path) -> bytes:
    try:
        with file.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise SheetError(
            [CellProblem(str(file), "", f"cannot read the file: {error.strerror}")]
        ) from None
    if len(raw) > MAX_FILE_BYTES:
        raise SheetError(
            [CellProblem(str(file), "", "the file is over 50 MB: not a year's figures")]
        )
    return raw


def _decode(raw: bytes) -> tuple[str, str | None]:
    """The text, and a note when it was not UTF-8. Excel's "CSV (Comma delimited)" writes
    Windows-1252, in which every byte sequence decodes, so UTF-8 is tried first: text that
    decodes as UTF-8 is almost never Windows-1252 with accents."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as error:  # 0x81, 0x8d, 0x8f, 0x90, 0x9d: not cp1252 either
        raise ValueError(
            f"the file is neither UTF-8 nor Windows-1252 text (byte 0x{raw[error.start]:02x} "
            f"at byte {error.start}): save it as CSV UTF-8"
        ) from None
    return text, "read as Windows-1252 (Excel's plain CSV), not UTF-8"


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
    except csv.Error:
        return csv.excel  # one column, or too little to tell: commas


def _read_csv(file: Path) -> Sheet:
    raw = _read_bytes(file)
    try:
        text, note = _decode(raw)
    except ValueError as error:
        raise SheetError([CellProblem(str(file), "", str(error))]) from None
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    rows = []
    start = 1
    try:
        for values in reader:
            # A cell `export` guarded against formula injection reads as it was written.
            cells = (unguard_formula(v) if v.strip() else None for v in values)
            rows.append(Row(start, tuple(cells)))
            start = reader.line_num + 1
    except csv.Error as error:
        raise SheetError(
            [CellProblem(f"{file}:{reader.line_num}", "", f"not readable as CSV: {error}")]
        ) from None
    sheet = Sheet(file, None, rows)
    if note:
        sheet.notes.append(f"{file}: {note}")
    return sheet


def _read_xlsx(file: Path, sheet_name: str | None) -> Sheet:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _read_bytes(file)  # the same size limit and read errors as a CSV file
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SheetError(
            [CellProblem(str(file), "", f"not readable as an XLSX workbook: {message}")]
        ) from None
    try:
        names = workbook.sheetnames
        name = sheet_name if sheet_name is not None else names[0]
        if name not in names:
            raise SheetError(
                [
                    CellProblem(
                        str(file),
                        "",
                        f"no sheet named '{name}' (sheets: {', '.join(names)})",
                    )
                ]
            )
        rows = [
            Row(number, tuple(_cell_value(v) for v in values))
            for number, values in _numbered(workbook[name].iter_rows(values_only=True))
        ]
    finally:
        workbook.close()
    return Sheet(file, name, rows)


def _numbered(rows: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    return ((number, values) for number, values in enumerate(rows, start=1))


def _cell_value(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value
