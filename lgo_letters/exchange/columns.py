"""Which spreadsheet column holds which record field: found by its header.

Headers are compared with case, spacing and punctuation ignored ("Detailed
Investigations", "detailed_investigations" and "DETAILED-INVESTIGATIONS" are one), against
the names a team would use ("Number upheld" is the upheld count too). A header that names a
percentage, rate, average or ratio ("Upheld %") never names a count, since punctuation is
ignored ("Upheld %" would otherwise be "upheld"). Two columns that would be one field are
refused, naming both. A mapping file names anything else; a column that is neither is
listed for the person, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from lgo_letters.errors import InputError, Problem
from lgo_letters.exchange.table import previous_columns, table_columns
from lgo_letters.schema.errors import problems_from_validation
from lgo_letters.schema.formats import noun_forms
from lgo_letters.schema.models import AUTHORITY_TYPES, FieldSpec, FormatRecord
from lgo_letters.schema.yaml_reader import read_yaml
from lgo_letters.sheets.cells import HEADER_SEARCH_ROWS, find_header_row, header_cells, header_key
from lgo_letters.sheets.problems import CellProblem, SheetError
from lgo_letters.sheets.reader import Row, Sheet, column_letter

IGNORE = "ignore"

# Record fields a spreadsheet can give, by the field's path in the record, with the
# headers a team would use for each. `slug` only picks the record; it is never written.
# A year's format adds its own statistics and fields, each found by its name, its noun and
# its title (templates/<year>/format.yaml); the words below are the team's for the fields
# formats have had, found even in a year whose format has no place for the field (its
# records then refuse it, rather than the column being passed over).
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
    "late_remedies": ("remedies completed late",),
    "training_courses": ("complaint handling courses", "training courses delivered"),
    "late_remedies_detail": ("late remedies paragraph",),
}
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


# Words that make a header a percentage, rate, average or ratio: never a count.
_NOT_A_COUNT = re.compile(
    r"%|\b(?:per ?cent(?:age)?s?|pct|rates?|averages?|avg|mean|ratios?|proportions?|share)\b"
)
# Words before a count's name that still name the count: "Number upheld", "No. of upheld".
_COUNT_PREFIXES = ("numberof", "number", "noof", "no", "countof", "count", "totalno", "total")


def names_a_rate(header: object) -> bool:
    """Whether a header names a percentage, rate, average or ratio ("Upheld %", "upheld
    rate", "Average upheld")."""
    text = unicodedata.normalize("NFKC", str(header)).casefold().replace("_", " ")
    return _NOT_A_COUNT.search(text) is not None


@dataclass(frozen=True)
class Mapping:
    """--mapping map.yaml: column header → field (or `ignore`), type value → authority type."""

    columns: dict[str, str] = field(default_factory=dict)  # header_key → field path
    types: dict[str, str] = field(default_factory=dict)  # header_key of a value → type


def _declared_words(name: str, spec: FieldSpec) -> tuple[str, ...]:
    words = [name.replace("_", " ")]
    words += noun_forms(spec) or ()
    if spec.title:
        words.append(spec.title)
    return tuple(words)


def importable_fields(declared: FormatRecord) -> dict[str, tuple[str, ...]]:
    """Field path → the header words that name it, for a year's format."""
    fields = dict(_ALIASES)
    for prefix, section in (("statistics.", declared.statistics), ("", declared.fields)):
        for name, spec in section.items():
            path = prefix + name
            fields[path] = (*fields.get(path, ()), *_declared_words(name, spec))
    return fields


def count_paths(declared: FormatRecord) -> frozenset[str]:
    """The paths of the fields a year's format counts ("statistics.upheld", "late_remedies"):
    their cells are read as counts."""
    return frozenset(declared.counts.values())


def computed_headers(declared: FormatRecord) -> frozenset[str]:
    """The header keys of the columns `export` computes for this format (rates, averages,
    letter files): never read back into a record."""
    computed = [*table_columns(declared), *previous_columns(declared)]
    return frozenset(header_key(c.name) for c in computed if c.computed)


def _by_header(declared: FormatRecord) -> dict[str, str]:
    known: dict[str, str] = {}
    for path, words in importable_fields(declared).items():
        for word in (path, path.rpartition(".")[2], *words):
            known.setdefault(header_key(word), path)
    return known


def field_for(name: str, declared: FormatRecord) -> str | None:
    """A field named in a mapping file ("upheld", "statistics.upheld", "ignore") → its path."""
    if header_key(name) == IGNORE:
        return IGNORE
    return _by_header(declared).get(header_key(name))


class MappingFile(BaseModel):
    """--mapping map.yaml, as a person writes it: `columns:` header → field (or `ignore`),
    `types:` a type cell's words → authority type."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    columns: dict[str, str] | None = None
    types: dict[str, str] | None = None


def _located(problems: list[Problem]) -> SheetError:
    return SheetError(
        [
            CellProblem(f"{p.file}:{p.line}" if p.line else str(p.file), p.field, p.message)
            for p in problems
        ]
    )


def read_mapping(file: Path, declared: FormatRecord) -> Mapping:
    try:
        document = read_yaml(file)
    except InputError as error:
        raise _located(error.problems) from None
    if not isinstance(document.data, dict):
        raise SheetError(
            [CellProblem(str(file), "", "must be a mapping with `columns:` and/or `types:`")]
        )
    try:
        model = MappingFile.model_validate(document.data)
    except ValidationError as error:
        raise _located(problems_from_validation(error, document, MappingFile)) from None
    problems: list[CellProblem] = []

    def where(*path: str) -> str:
        line, _ = document.locate(path)
        return f"{file}:{line}" if line else str(file)

    def mapped(section: str, what: str, to: Callable[[str], str | None]) -> dict[str, str]:
        """One section of the file (`columns:` or `types:`): each key's header_key → what
        `to` makes of its value; a value it cannot use is a located problem."""
        result: dict[str, str] = {}
        for key, value in (getattr(model, section) or {}).items():
            target = to(str(value))
            if target is None:
                problems.append(
                    CellProblem(where(section, key), f"{section}.{key}", f"'{value}' {what}")
                )
            else:
                result[header_key(key)] = target
        return result

    columns = mapped(
        "columns",
        "is not a field an import can set (nor `ignore`)",
        lambda target: field_for(target, declared),
    )
    types = mapped(
        "types",
        f"is not one of {', '.join(AUTHORITY_TYPES)}",
        lambda kind: kind if kind in AUTHORITY_TYPES else None,
    )
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
    rates: tuple[str, ...] = ()  # percentages, rates, averages: never a count

    def column(self, path: str) -> int | None:
        """The index of the column that gives `path`, if any."""
        return next((i for i, p in self.fields.items() if p == path), None)


def _known_path(
    key: str, header: object, known: dict[str, str], counts: frozenset[str]
) -> str | None:
    """The field a header names by the team's words, or None; never a count for a header
    that names a rate, and "Number upheld" for the upheld count."""
    path = known.get(key)
    if path is None:
        for prefix in _COUNT_PREFIXES:
            if key.startswith(prefix) and known.get(key[len(prefix) :]) in counts:
                path = known[key[len(prefix) :]]
                break
    if path in counts and names_a_rate(header):
        return None
    return path


def find_layout(sheet: Sheet, mapping: Mapping, declared: FormatRecord) -> Layout:
    """The first row (of the first 30) that names a council column and one other field."""
    known = _by_header(declared)
    counts = count_paths(declared)
    computed_keys = computed_headers(declared)

    def layout(row: Row) -> Layout | None:
        fields: dict[int, str] = {}
        unmapped: list[str] = []
        computed: list[str] = []
        rates: list[str] = []
        for index, cell, key in header_cells(row):
            path = mapping.columns.get(key) or _known_path(key, cell, known, counts)
            if path == IGNORE:
                continue
            if path is not None:
                fields[index] = path
            elif key in computed_keys:
                computed.append(str(cell))
            elif names_a_rate(cell):
                rates.append(str(cell))
            else:
                unmapped.append(str(cell))
        named = set(fields.values())
        if not (named & set(KEY_FIELDS) and len(named) >= 2):
            return None
        return Layout(row, fields, tuple(unmapped), tuple(computed), tuple(rates))

    found = find_header_row(sheet, layout)
    if found is not None:
        _, layout_found = found
        _check_duplicates(sheet, layout_found.header, layout_found.fields)
        return layout_found
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
                    f"'{header.values[index]}' ({column_letter(index)}) and '{first}' "
                    f"({column_letter(seen[path])}) could both be this field: keep one column, "
                    "or map the other to `ignore` with --mapping",
                )
            )
        else:
            seen[path] = index
    if problems:
        raise SheetError(problems)
