"""Is the year complete, and are its averages the Ombudsman's? Warnings, not errors.

- An authority type with no averages in year.yaml gets averages pooled from the year's
  records; that is said, with the records it was pooled from, and any invalid record that
  was left out (fixing it will change other councils' letters).
- `councils_list:` in year.yaml names the official list of councils (CSV or XLSX with code
  and name columns): councils on it with no record, records not on it, and names that
  differ from the official one are reported.

`validate` and `build` print these; with `--strict` they fail the command.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lgo_letters.context.averages import TypeAverages
from lgo_letters.errors import InputError, Problem
from lgo_letters.schema import YearRecords
from lgo_letters.schema.yaml_reader import read_yaml

_CODE_HEADERS = ("code", "onscode", "gsscode", "onsgsscode")
_NAME_HEADERS = ("name", "council", "authority", "councilname", "authorityname")


@dataclass(frozen=True)
class _Known:
    """A record file's council, valid or not: what the checks can read of it."""

    slug: str
    file: Path
    name: str | None
    code: str | None
    type: str | None
    valid: bool


def _raw_fields(file: Path) -> dict[str, Any]:
    try:
        data = read_yaml(file).data
    except InputError:
        return {}
    return data if isinstance(data, dict) else {}


def _known_councils(records: YearRecords) -> list[_Known]:
    known = [
        _Known(slug, e.file, e.record.name, e.record.code, e.record.type, True)
        for slug, e in records.councils.items()
    ]
    for slug, problems in records.failed.items():
        file = next((p.file for p in problems if p.file.stem == slug), None)
        raw = _raw_fields(file) if file else {}

        def text(key: str, raw: dict[str, Any] = raw) -> str | None:
            value = raw.get(key)
            return value if isinstance(value, str) else None

        known.append(
            _Known(slug, file or Path(slug), text("name"), text("code"), text("type"), False)
        )
    return sorted(known, key=lambda k: k.slug)


def _position(file: Path, *path: str) -> tuple[int | None, int | None]:
    try:
        return read_yaml(file).locate(path)
    except InputError:
        return None, None


def pooled_warnings(
    records: YearRecords, averages: dict[str, TypeAverages], known: list[_Known]
) -> list[Problem]:
    warnings = []
    line, column = _position(records.year_file, "averages")
    for kind, pooled in sorted(averages.items()):
        if pooled.source != "computed":
            continue
        left_out = [
            f"{k.file.name}" + ("" if k.type == kind else " (type unknown)")
            for k in known
            if not k.valid and (k.type == kind or k.type is None)
        ]
        message = (
            f"averages for {kind} computed from {pooled.councils} "
            f"record{'s' if pooled.councils != 1 else ''}: give them in year.yaml if the "
            "Ombudsman publishes them"
        )
        if left_out:
            message += (
                f"; left out, being invalid: {', '.join(left_out)} (fixing "
                f"{'it' if len(left_out) == 1 else 'them'} will change these averages)"
            )
        warnings.append(Problem(records.year_file, line, column, f"averages.{kind}", message))
    return warnings


@dataclass(frozen=True)
class _Listed:
    line: int
    code: str | None
    name: str | None


def read_councils_list(file: Path) -> list[_Listed]:
    """The official list's rows; InputError naming the file when it cannot be used."""
    # Imported here: most years have no list, and reading one is not worth loading early.
    from lgo_letters.sheets.cells import clean_text, find_header_row, header_cells
    from lgo_letters.sheets.problems import SheetError
    from lgo_letters.sheets.reader import Row, read_sheet

    try:
        sheet = read_sheet(file)
    except SheetError as error:
        raise InputError(
            [Problem(file, None, None, "councils_list", p.message) for p in error.problems]
        ) from None

    def code_and_name(row: Row) -> tuple[int | None, int | None] | None:
        cells = header_cells(row)
        code = next((i for i, _, key in cells if key in _CODE_HEADERS), None)
        name = next((i for i, _, key in cells if key in _NAME_HEADERS), None)
        return None if code is None and name is None else (code, name)

    found = find_header_row(sheet, code_and_name)
    if found is None:
        message = "no header row naming a code or name column"
        raise InputError([Problem(file, None, None, "councils_list", message)])
    position, (code, name) = found
    listed = []
    for later in sheet.rows[position + 1 :]:
        code_value = later.value(code) if code is not None else None
        name_value = later.value(name) if name is not None else None
        if code_value is None and name_value is None:
            continue
        listed.append(
            _Listed(
                later.number,
                clean_text(code_value).upper() if code_value is not None else None,
                clean_text(name_value) if name_value is not None else None,
            )
        )
    return listed


def _name_problem(council: _Known, message: str) -> Problem:
    """A warning about a council's record, placed at its `name` key."""
    return Problem(council.file, *_position(council.file, "name"), "name", message)


def list_warnings(list_file: Path, listed: list[_Listed], known: list[_Known]) -> list[Problem]:
    from lgo_letters.schema.names import name_key

    by_code = {k.code.upper(): k for k in known if k.code}
    by_name = {name_key(k.name): k for k in known if k.name}
    matched: set[str] = set()
    warnings = []
    for entry in listed:
        council = by_code.get(entry.code) if entry.code else None
        if council is None and entry.name:
            council = by_name.get(name_key(entry.name))
        if council is None:
            what = " ".join(filter(None, [entry.name, f"({entry.code})" if entry.code else ""]))
            warnings.append(
                Problem(
                    list_file,
                    entry.line,
                    None,
                    "",
                    f"{what} is on the official list but has no record",
                )
            )
            continue
        matched.add(council.slug)
        if entry.name and council.name and council.name.strip() != entry.name:
            warnings.append(
                _name_problem(
                    council,
                    f"'{council.name}' differs from the official name '{entry.name}' "
                    f"({list_file.name}:{entry.line})",
                )
            )
    for council in known:
        if council.slug not in matched:
            warnings.append(
                _name_problem(
                    council,
                    f"'{council.name or council.slug}' is not on the official list "
                    f"({list_file.name})",
                )
            )
    return warnings


def year_warnings(
    records: YearRecords, averages: dict[str, TypeAverages]
) -> tuple[list[Problem], list[Problem]]:
    """(warnings, problems): what `--strict` fails on, and a councils list that cannot be read."""
    known = _known_councils(records)
    warnings = pooled_warnings(records, averages, known)
    problems: list[Problem] = []
    year_record = records.year_record
    if year_record is not None and year_record.councils_list:
        list_file = records.year_file.parent / year_record.councils_list
        try:
            warnings += list_warnings(list_file, read_councils_list(list_file), known)
        except InputError as error:
            problems += error.problems
    return warnings, problems
