"""Which spreadsheet column holds which record field: found by its header.

Headers are compared with case, spacing and punctuation ignored ("Detailed
Investigations", "detailed_investigations" and "DETAILED-INVESTIGATIONS" are one), against
the names a team would use. A mapping file names anything else; a column that is neither
is listed for the person, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from lgo_letters.errors import InputError
from lgo_letters.exchange.problems import CellProblem, SheetError
from lgo_letters.exchange.sheets import Row, Sheet
from lgo_letters.exchange.table import FORMAT_COUNTS, RATES
from lgo_letters.schema.models import AUTHORITY_TYPES
from lgo_letters.schema.yaml_reader import read_yaml

# The header row need not be the first: title rows above it are skipped.
HEADER_SEARCH_ROWS = 30
IGNORE = "ignore"

# Record fields a spreadsheet can give, by the field's path in the record, with the
# headers a team would use for each. `slug` only picks the record; it is never written.
_ALIASES: dict[str, tuple[str, ...]] = {
    "slug": ("slug",),
    "name": ("council", "council name", "authority", "authority name", "local authority", "name"),
    "code": ("code", "ons code", "gss code", "ons gss code"),
    "type": ("type", "authority type", "council type"),
    "recipients": ("recipients", "recipient", "addressee", "addressees"),
    "role": ("role", "job title", "position"),
    "salutation": ("salutation", "greeting"),
    "email": ("email", "email address", "emails"),
    "cc": ("cc", "copy to", "copied to", "cc email"),
    "statistics.investigations": ("investigations", "detailed investigations"),
    "statistics.upheld": ("upheld", "upheld decisions", "upheld complaints"),
    "statistics.satisfactory_remedies": (
        "satisfactory remedies",
        "satisfactory remedy",
        "satisfactory remedy decisions",
    ),
    "statistics.compliance_outcomes": ("compliance outcomes", "compliance outcomes recorded"),
    "statistics.complied": ("complied", "complied with"),
}
# Optional fields a year's format may declare (templates/<year>/format.yaml), by name or title.
FORMAT_FIELD_TITLES: dict[str, tuple[str, ...]] = {
    "late_remedies": ("remedies completed late",),
    "training_courses": ("complaint handling courses", "training courses delivered"),
    "late_remedies_detail": ("late remedies paragraph",),
    "comments": ("comment", "paragraphs"),
}
# Columns `export` writes that are computed from the record, never read back into it.
COMPUTED = frozenset(
    [f"{rate}_percent" for rate in RATES]
    + [f"{rate}_average" for rate in RATES]
    + ["averages", "draft"]
    + [f"{kind}_{what}" for kind in ("html", "pdf") for what in ("file", "sha256")]
)
# A row names its council by at least one of these.
KEY_FIELDS = ("slug", "code", "name")
TYPE_WORDS: dict[str, str] = {
    "county": "county",
    "county council": "county",
    "district": "district",
    "district council": "district",
    "metropolitan": "metropolitan",
    "metropolitan borough": "metropolitan",
    "metropolitan borough council": "metropolitan",
    "unitary": "unitary",
    "unitary authority": "unitary",
    "unitary council": "unitary",
    "london": "london",
    "london borough": "london",
    "london borough council": "london",
}


def header_key(text: object) -> str:
    """ "Detailed Investigations", "detailed_investigations" → "detailedinvestigations"."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[\W_]+", "", folded)


@dataclass(frozen=True)
class Mapping:
    """--mapping map.yaml: column header → field (or `ignore`), type value → authority type."""

    columns: dict[str, str] = field(default_factory=dict)  # header_key → field path
    types: dict[str, str] = field(default_factory=dict)  # header_key of a value → type


def importable_fields(format_fields: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """Field path → the header words that name it, for a year's format."""
    fields = dict(_ALIASES)
    for name in sorted(format_fields):
        fields[name] = (name.replace("_", " "), *FORMAT_FIELD_TITLES.get(name, ()))
    for name in FORMAT_COUNTS:  # counts the format has no place for: still named, refused later
        fields.setdefault(name, (name.replace("_", " "), *FORMAT_FIELD_TITLES.get(name, ())))
    return fields


def _by_header(format_fields: frozenset[str]) -> dict[str, str]:
    known: dict[str, str] = {}
    for path, words in importable_fields(format_fields).items():
        for word in (path, path.rpartition(".")[2], *words):
            known.setdefault(header_key(word), path)
    return known


def field_for(name: str, format_fields: frozenset[str]) -> str | None:
    """A field named in a mapping file ("upheld", "statistics.upheld", "ignore") → its path."""
    if header_key(name) == IGNORE:
        return IGNORE
    return _by_header(format_fields).get(header_key(name))


def read_mapping(file: Path, format_fields: frozenset[str]) -> Mapping:
    try:
        document = read_yaml(file)
    except InputError as error:
        raise SheetError(
            [
                CellProblem(f"{p.file}:{p.line}" if p.line else str(p.file), p.field, p.message)
                for p in error.problems
            ]
        ) from None
    data = document.data if isinstance(document.data, dict) else None
    problems: list[CellProblem] = []

    def where(*path: str) -> str:
        line, _ = document.locate(path)
        return f"{file}:{line}" if line else str(file)

    if data is None or set(data) - {"columns", "types"}:
        raise SheetError(
            [CellProblem(str(file), "", "must be a mapping with `columns:` and/or `types:`")]
        )
    columns: dict[str, str] = {}
    for header, target in (data.get("columns") or {}).items():
        path = field_for(str(target), format_fields)
        if path is None:
            problems.append(
                CellProblem(
                    where("columns", header),
                    f"columns.{header}",
                    f"'{target}' is not a field an import can set (nor `ignore`)",
                )
            )
        else:
            columns[header_key(header)] = path
    types: dict[str, str] = {}
    for value, kind in (data.get("types") or {}).items():
        if kind not in AUTHORITY_TYPES:
            problems.append(
                CellProblem(
                    where("types", value),
                    f"types.{value}",
                    f"'{kind}' is not one of {', '.join(AUTHORITY_TYPES)}",
                )
            )
        else:
            types[header_key(value)] = kind
    if problems:
        raise SheetError(problems)
    return Mapping(columns, types)


@dataclass(frozen=True)
class Layout:
    """Where a sheet's header row is and what each of its columns holds."""

    header: Row
    fields: dict[int, str]  # column index → field path
    unmapped: tuple[str, ...]  # headers of columns neither known nor mapped
    computed: tuple[str, ...]  # export's computed columns, skipped


def find_layout(sheet: Sheet, mapping: Mapping, format_fields: frozenset[str]) -> Layout:
    """The first row (of the first 30) that names a council column and one other field."""
    known = _by_header(format_fields)
    for row in sheet.rows[:HEADER_SEARCH_ROWS]:
        fields: dict[int, str] = {}
        unmapped: list[str] = []
        computed: list[str] = []
        for index, cell in enumerate(row.values):
            if cell is None:
                continue
            key = header_key(cell)
            path = mapping.columns.get(key) or known.get(key)
            if path == IGNORE:
                continue
            if path is not None:
                fields[index] = path
            elif key in {header_key(c) for c in COMPUTED}:
                computed.append(str(cell))
            else:
                unmapped.append(str(cell))
        named = set(fields.values())
        if named & set(KEY_FIELDS) and len(named) >= 2:
            _check_duplicates(sheet, row, fields)
            return Layout(row, fields, tuple(unmapped), tuple(computed))
    raise SheetError(
        [
            CellProblem(
                sheet.label,
                "",
                f"no header row found in the first {HEADER_SEARCH_ROWS} rows: a header row "
                "names the council (council, authority, name, code or slug) and at least one "
                "field; use --mapping to name columns with other headers",
            )
        ]
    )


def _check_duplicates(sheet: Sheet, header: Row, fields: dict[int, str]) -> None:
    seen: dict[str, int] = {}
    problems = []
    for index, path in fields.items():
        if path in seen:
            first = header.values[seen[path]]
            problems.append(
                CellProblem(
                    sheet.where(header, index),
                    path,
                    f"'{header.values[index]}' and '{first}' are both this field: keep one "
                    "column, or map the other to `ignore` with --mapping",
                )
            )
        else:
            seen[path] = index
    if problems:
        raise SheetError(problems)
