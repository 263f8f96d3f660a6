"""The year's figures table: one row per council, every figure as its letter prints it.

`export` writes it as CSV, JSON or XLSX; `publish` reuses it. Every number comes from the
letter context (lgo_letters.context), never computed again here, so the table and the
letters cannot disagree. Column names are the record's field names where a column is one,
so a table exported and imported again changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from lgo_letters.context import LetterContext, Rate
from lgo_letters.output import write_atomic
from lgo_letters.project import PreparedYear
from lgo_letters.schema.models import FormatRecord
from lgo_letters.sheets.formulas import guard_formula

if TYPE_CHECKING:  # building a year is not needed to read its manifest's entries
    from lgo_letters.manifest import Manifest

# How a column's values are held and shown: text, a list of texts, a count, a whole
# percentage, yes/no, or a sha256.
Kind = Literal["text", "list", "count", "percent", "flag", "hash"]

# Lists (recipients, email addresses) in one cell of a CSV or XLSX file; `import` splits
# cells on the same separator.
LIST_SEPARATOR = "; "

LETTER_FILES = ("html", "pdf")
# How the table says where a type's averages came from (TypeAverages.source → word).
AVERAGES_SOURCE = {"given": "given", "computed": "pooled", "none": ""}


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    description: str
    # Computed from the record (rates, averages, letter files): `import` skips the column.
    computed: bool = False


@dataclass(frozen=True)
class YearTable:
    year: int
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]  # column name → value (None: empty)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


# What the public may see (`publish`): which council it is, every count and rate its year's
# format declares and the similar-authority averages. The rest of the table (the slug,
# recipients, role, salutation, email and cc, the draft flag, where the averages came
# from, the built files and their sha256s) is for the Ombudsman's own use: `export`.
PUBLIC_FIELDS = ("name", "code", "type")
PUBLIC_KINDS = ("count", "percent")


def is_public(column: Column) -> bool:
    return column.name in PUBLIC_FIELDS or column.kind in PUBLIC_KINDS


def public_table(
    table: YearTable,
    order: Sequence[str],
    more: tuple[Column, ...] = (),
    cells: Mapping[str, Mapping[str, Any]] | None = None,
) -> YearTable:
    """The public figures: the public columns of `table` (is_public), then the columns
    `more`, whose cells `cells` gives by slug (the published letters' files); a row for
    each slug of `order`, in that order."""
    public = tuple(c for c in table.columns if is_public(c))
    by_slug = {row["slug"]: row for row in table.rows}
    rows = tuple(
        {
            **{c.name: by_slug[slug][c.name] for c in public},
            **{c.name: (cells or {}).get(slug, {}).get(c.name) for c in more},
        }
        for slug in order
    )
    return YearTable(table.year, (*public, *more), rows)


def _title(declared: FormatRecord, name: str) -> str:
    spec = declared.spec(name)
    return spec.title if spec is not None and spec.title else name.replace("_", " ")


def table_columns(declared: FormatRecord) -> tuple[Column, ...]:
    """The columns of a year whose records follow the format `declared` (format.yaml): the
    core fields, every count it declares (statistics, then count fields), and each rate it
    declares under `averages` with its similar-authority average."""
    columns = [
        Column("slug", "text", "the record's file name, data/<year>/councils/<slug>.yaml"),
        Column("name", "text", "the council's name"),
        Column("code", "text", "ONS GSS code"),
        Column("type", "text", "authority type"),
        Column("recipients", "list", "the letter's addressees"),
        Column("role", "text", "their job title"),
        Column("salutation", "text", "the greeting, where it is not 'Dear <recipients>'"),
        Column("email", "list", "where the letter is sent"),
        Column("cc", "list", "who is copied"),
    ]
    columns += [Column(name, "count", _title(declared, name)) for name in declared.counts]
    # What the letter computes from the record: `import` skips these columns.
    words = {name: name.replace("_", " ") for name in declared.averages}
    computed: list[tuple[str, Kind, str]] = [
        *(
            (f"{n}_percent", "percent", f"{w} rate as the letter prints it")
            for n, w in words.items()
        ),
        *((f"{n}_average", "percent", f"similar-authority {w} average") for n, w in words.items()),
        ("averages", "text", "given (year.yaml) or pooled from the year's records"),
        ("draft", "flag", "the letter is marked DRAFT"),
    ]
    for kind in LETTER_FILES:
        computed += [
            (f"{kind}_file", "text", f"the letter's {kind.upper()} file, when built"),
            (f"{kind}_sha256", "hash", "its sha256, from the build's manifest"),
        ]
    return (*columns, *(Column(*c, computed=True) for c in computed))


def previous_columns(declared: FormatRecord) -> tuple[Column, ...]:
    """`export --with-previous`: last year's slug, counts and rates beside this year's
    (computed: `import` skips them)."""
    counts = [
        Column(f"previous_{n}", "count", f"last year's {_title(declared, n)}", computed=True)
        for n in declared.counts
    ]
    rates = [
        Column(
            f"previous_{n}_percent",
            "percent",
            f"last year's {n.replace('_', ' ')} rate",
            computed=True,
        )
        for n in declared.averages
    ]
    return (
        Column("previous_year", "count", "the year compared with", computed=True),
        Column("previous_slug", "text", "the council's record last year", computed=True),
        *counts,
        *rates,
    )


def with_previous(
    table: YearTable,
    declared: FormatRecord,
    previous_year: int,
    previous: dict[str, tuple[str | None, dict[str, int | None]]],
) -> YearTable:
    """`table` with last year's columns: `previous` is slug → (last year's slug, figure
    name → value, by the names `compare` uses: counts, `<rate>_percent`)."""
    columns = previous_columns(declared)
    rows = []
    for row in table.rows:
        slug, figures = previous.get(row["slug"], (None, {}))
        extra: dict[str, Any] = {"previous_year": previous_year if slug else None}
        extra["previous_slug"] = slug
        for column in columns[2:]:
            extra[column.name] = figures.get(column.name.removeprefix("previous_"))
        rows.append({**row, **extra})
    return YearTable(table.year, (*table.columns, *columns), tuple(rows))


def _rate_cells(name: str, rate: Rate) -> dict[str, Any]:
    # Percent is None where the letter says there were no cases: an empty cell, never 0.
    return {f"{name}_percent": rate.percent, f"{name}_average": rate.average}


def _letter_files(manifest: Manifest | None, slug: str) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for kind in LETTER_FILES:
        name = f"{slug}.{kind}"
        built = manifest.file(slug, name) if manifest else None
        cells[f"{kind}_file"] = name if built else None
        cells[f"{kind}_sha256"] = built.sha256 if built else None
    return cells


def council_row(
    letter: LetterContext,
    averages_source: str,
    manifest: Manifest | None,
    declared: FormatRecord,
) -> dict[str, Any]:
    """One council's cells, by column name; every count and rate `declared` (its year's
    format) has."""
    council = letter.council
    row: dict[str, Any] = {
        "slug": letter.slug,
        "name": council.name,
        "code": council.code,
        "type": council.type,
        "recipients": list(council.recipients),
        "role": council.role,
        "salutation": council.salutation,
        "email": list(council.email) if council.email else None,
        "cc": list(council.cc) if council.cc else None,
    }
    row.update(council.statistics.model_dump())
    for name in declared.fields:
        if name in declared.counts:
            row[name] = getattr(council, name, None)
    for name, rate in declared.averages.items():
        row.update(_rate_cells(name, letter.declared_rate(name, rate)))
    row["averages"] = AVERAGES_SOURCE.get(averages_source, averages_source) or None
    row["draft"] = council.draft
    row.update(_letter_files(manifest, letter.slug))
    return row


def year_table(prepared: PreparedYear, manifest: Manifest | None = None) -> YearTable:
    """The table of every council with a letter context in `prepared`, by slug."""
    declared = prepared.letter_format.format.declared
    columns = table_columns(declared)
    names = [c.name for c in columns]
    rows = []
    for _slug, letter in sorted(prepared.letters.items()):
        averages = prepared.averages.get(letter.council.type)
        row = council_row(letter, averages.source if averages else "none", manifest, declared)
        rows.append({name: row.get(name) for name in names})
    return YearTable(prepared.year, columns, tuple(rows))


def cell_text(value: Any) -> str:
    """A value as one cell of a CSV file: lists joined, yes/no, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    return str(value)


def table_csv(table: YearTable) -> str:
    """The table as CSV; text cells a spreadsheet would run as a formula are guarded
    (lgo_letters.sheets.formulas)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.names)
    for row in table.rows:
        writer.writerow(
            [
                guard_formula(cell_text(row[c.name]))
                if c.kind in ("text", "list")
                else cell_text(row[c.name])
                for c in table.columns
            ]
        )
    return buffer.getvalue()


def table_json(table: YearTable) -> str:
    """{"year": …, "columns": [{name, description}], "councils": [row, …]}; lists stay lists."""
    document = {
        "year": table.year,
        "columns": [{"name": c.name, "description": c.description} for c in table.columns],
        "councils": list(table.rows),
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


_NUMBER_FORMATS = {"count": "0", "percent": '0"%"'}
_WIDTHS = {"text": 18, "list": 28, "count": 10, "percent": 10, "flag": 7, "hash": 20}


def table_xlsx(table: YearTable) -> bytes:
    """A workbook with one sheet: a bold header row, frozen panes (the header and the slug
    and name columns stay in view) and number formats for counts and percentages."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet
    sheet.title = f"Councils {table.year}"
    sheet.append(table.names)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row_number, row in enumerate(table.rows, start=2):
        for column_number, column in enumerate(table.columns, start=1):
            value = row[column.name]
            if column.kind in ("list", "flag"):
                value = cell_text(value) if value is not None else None
            cell = sheet.cell(row=row_number, column=column_number, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text that starts with "=" is text, not a formula
            if column.kind in _NUMBER_FORMATS:
                cell.number_format = _NUMBER_FORMATS[column.kind]
    for column_number, column in enumerate(table.columns, start=1):
        width = max(_WIDTHS[column.kind], len(column.name) + 2)
        sheet.column_dimensions[get_column_letter(column_number)].width = width
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# The formats a table can be written in, by file suffix.
WRITERS = {
    ".csv": lambda table: ("\ufeff" + table_csv(table)).encode("utf-8"),
    ".json": lambda table: table_json(table).encode("utf-8"),
    ".xlsx": table_xlsx,
}


def write_table(table: YearTable, file: Path) -> None:
    """Write the table in the format its suffix names (.csv, .json, .xlsx), atomically.

    The CSV is UTF-8 with a byte-order mark, so that Excel shows accents right."""
    writer = WRITERS.get(file.suffix.lower())
    if writer is None:
        raise ValueError(
            f"{file}: cannot write a table as '{file.suffix}': use .csv, .json or .xlsx"
        )
    write_atomic(file, writer(table))
