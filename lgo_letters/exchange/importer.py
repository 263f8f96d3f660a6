"""`import`: a year's figures and contacts from spreadsheets into its council records.

Every file is read, every row matched to its record and every value checked before
anything is written; if any row has a problem, nothing is (a half-imported year is worse
than none). Only the fields the files give change; the records are then validated as
`validate` does, with each problem located at the spreadsheet cell it came from.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lgo_letters.errors import InputError, Problem, UsageError
from lgo_letters.exchange.columns import Mapping, count_paths, find_layout, read_mapping
from lgo_letters.exchange.matching import new_slugs
from lgo_letters.exchange.problems import CellProblem, SheetError
from lgo_letters.exchange.records import RecordFile, field_rank, rewrite_all
from lgo_letters.exchange.sheets import Row, Sheet, read_sheet
from lgo_letters.exchange.values import to_value
from lgo_letters.output import write_atomic
from lgo_letters.project import Paths, check_year
from lgo_letters.schema.loader import council_files, validate_council
from lgo_letters.schema.names import name_key
from lgo_letters.schema.slugs import is_slug
from lgo_letters.schema.yaml_reader import YamlDocument

# What a new record needs that only a spreadsheet can give, besides its format's statistics.
REQUIRED_FOR_NEW = ("name", "type", "recipients", "role")
_KEYS = ("slug", "code", "name")
# A row's council: an existing record's slug, or ("new", code or name) for --create.
CouncilKey = str | tuple[str, str]


@dataclass(frozen=True)
class Cell:
    value: Any
    where: str


@dataclass
class SheetRow:
    """One council's row of one sheet: its parsed values, each with its cell."""

    sheet: Sheet
    row: Row
    cells: dict[str, Cell]

    @property
    def where(self) -> str:
        return self.sheet.where(self.row, 0)

    def describe(self) -> str:
        named = [self.cells[k].value for k in ("name", "code", "slug") if k in self.cells]
        return " / ".join(f"'{v}'" for v in named)


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any

    def __str__(self) -> str:
        if self.old is None:
            return f"{self.field} added ({_shown(self.new)})"
        return f"{self.field} {_shown(self.old)} → {_shown(self.new)}"


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


@dataclass
class CouncilImport:
    slug: str
    file: Path
    created: bool
    changes: list[Change]
    text: str
    name: str = ""


@dataclass
class ImportPlan:
    year: int
    rows: int = 0
    files: int = 0
    councils: int = 0  # that the rows name
    updates: list[CouncilImport] = field(default_factory=list)  # changed or created
    unchanged: list[str] = field(default_factory=list)
    unmentioned: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)

    @property
    def created(self) -> list[CouncilImport]:
        return [u for u in self.updates if u.created]

    @property
    def changed(self) -> list[CouncilImport]:
        return [u for u in self.updates if not u.created]


def _comparable(path: str, value: Any) -> Any:
    """`email: a@b.org` and `email: [a@b.org]` are the same addresses; "ST HELENS BOROUGH
    COUNCIL" names the council "St. Helens Borough Council" (a name that matches is a key,
    not a change)."""
    if path in ("email", "cc") and isinstance(value, str):
        return [value]
    if path == "name" and isinstance(value, str):
        return name_key(value)
    return value


class _Importer:
    def __init__(self, paths: Paths, year: int, create: bool):
        templates = check_year(paths, year)
        try:
            self.year_format = templates.letter_format(year).format
        except InputError as error:
            raise UsageError("\n".join(map(str, error.problems))) from None
        self.declared = self.year_format.declared
        self.counts = count_paths(self.declared)
        # What a new record needs that only a spreadsheet can give.
        self.required_for_new = (
            *REQUIRED_FOR_NEW,
            *(f"statistics.{name}" for name in self.declared.statistics),
        )
        self.year = year
        self.create = create
        self.folder = paths.data / str(year) / "councils"
        self.plan = ImportPlan(year)
        self.records: dict[str, RecordFile] = {}
        self._read_records(paths.data / str(year))

    def _problem(self, where: str, field: str, message: str) -> None:
        self.plan.problems.append(CellProblem(where, field, message))

    def _record_problems(self, error: InputError) -> None:
        for problem in error.problems:
            where = f"{problem.file}:{problem.line}" if problem.line else str(problem.file)
            self._problem(where, problem.field, f"cannot import into it: {problem.message}")

    def _read_records(self, year_dir: Path) -> None:
        for file in council_files(year_dir):
            if file.suffix != ".yaml" or not is_slug(file.stem):
                continue  # validate reports it; no row can be meant for it
            try:
                self.records[file.stem] = RecordFile.read(file.stem, file)
            except InputError as error:
                self._record_problems(error)
        self.by_code: dict[str, str] = {}
        self.by_name: dict[str, str] = {}
        for slug, record in sorted(self.records.items()):
            code, name = record.get("code"), record.get("name")
            if isinstance(code, str):
                self.by_code.setdefault(code.strip().upper(), slug)
            if isinstance(name, str):
                self.by_name.setdefault(name_key(name), slug)

    # -- reading ---------------------------------------------------------------------------

    def read(self, file: Path, sheet_name: str | None, mapping: Mapping) -> list[SheetRow]:
        sheet = read_sheet(file, sheet_name if file.suffix.lower() != ".csv" else None)
        self.plan.notes.extend(sheet.notes)
        layout = find_layout(sheet, mapping, self.declared)
        if layout.unmapped:
            self.plan.notes.append(
                f"{sheet.label}: not imported (no field of that name; name it with --mapping): "
                + ", ".join(f"'{h}'" for h in layout.unmapped)
            )
        rows = []
        after_header = next(i for i, r in enumerate(sheet.rows) if r is layout.header) + 1
        for row in sheet.rows[after_header:]:
            cells: dict[str, Cell] = {}
            for index, path in layout.fields.items():
                raw = row.value(index)
                if raw is None:
                    continue  # blank: the field stays as it is
                where = sheet.where(row, index)
                try:
                    cells[path] = Cell(to_value(path, raw, mapping.types, self.counts), where)
                except ValueError as error:
                    self._problem(where, path, str(error))
                    cells[path] = Cell(None, where)  # given, but wrong
            if not cells:
                continue  # a blank row (trailing rows, spacers)
            if not any(k in cells for k in _KEYS):
                self._problem(
                    sheet.where(row, min(layout.fields)),
                    "",
                    "this row does not name its council (council name, code or slug)",
                )
                continue
            rows.append(SheetRow(sheet, row, cells))
        return rows

    # -- matching --------------------------------------------------------------------------

    def match(self, row: SheetRow) -> CouncilKey | None:
        """The slug of the row's record; ("new", key) for a council new to the year."""
        slug = row.cells.get("slug")
        if slug is not None and slug.value is not None:
            if slug.value in self.records:
                return slug.value
            self._problem(slug.where, "slug", f"no record {self.folder / (slug.value + '.yaml')}")
            return None
        code = row.cells.get("code")
        name = row.cells.get("name")
        if code is not None and code.value is not None and code.value in self.by_code:
            return self.by_code[code.value]
        if name is not None and name.value is not None:
            slug_by_name = self.by_name.get(name_key(name.value))
            if slug_by_name is not None:
                known = self.records[slug_by_name].get("code")
                if code is not None and code.value and known and known != code.value:
                    self._problem(
                        code.where,
                        "code",
                        f"{code.value} here, but {known} in {self.records[slug_by_name].file} "
                        f"for '{name.value}': which is right?",
                    )
                    return None
                return slug_by_name
        if code is not None and code.value is None:
            return None  # its code was wrong, and said so
        if self.create:
            if name is None or name.value is None:
                self._problem(
                    row.where, "name", "no record has this code; --create needs the council's name"
                )
                return None
            return ("new", code.value if code and code.value else name_key(name.value))
        self._problem(
            row.where,
            "",
            f"{row.describe()} matches no council record in {self.folder} (by code or name): "
            "check the name or code, or use --create to make a record",
        )
        return None

    def group(self, rows: list[SheetRow]) -> dict[CouncilKey, list[SheetRow]]:
        groups: dict[CouncilKey, list[SheetRow]] = {}
        for row in rows:
            key = self.match(row)
            if key is None:
                continue
            same_sheet = [r for r in groups.get(key, []) if r.sheet is row.sheet]
            if same_sheet:
                self._problem(
                    row.where,
                    "",
                    f"a second row for {row.describe()} (the first is {same_sheet[0].where}): "
                    "keep one row per council",
                )
                continue
            groups.setdefault(key, []).append(row)
        return groups

    # -- changing --------------------------------------------------------------------------

    def merged(self, rows: list[SheetRow]) -> dict[str, Cell]:
        cells: dict[str, Cell] = {}
        for row in rows:
            for path, cell in row.cells.items():
                earlier = cells.get(path)
                if earlier is None:
                    cells[path] = cell
                elif (
                    cell.value is not None
                    and earlier.value is not None
                    and _comparable(path, earlier.value) != _comparable(path, cell.value)
                ):
                    self._problem(
                        cell.where,
                        path,
                        f"{_shown(cell.value)} here but {_shown(earlier.value)} at "
                        f"{earlier.where}: which is right?",
                    )
        return cells

    def apply(self, record: RecordFile, cells: dict[str, Cell]) -> list[Change]:
        changes = []
        for path, cell in sorted(cells.items(), key=lambda item: field_rank(item[0])):
            if path == "slug" or cell.value is None:
                continue
            old = record.get(path)
            if _comparable(path, old) == _comparable(path, cell.value):
                continue
            record.set(path, cell.value)
            changes.append(Change(path, old, cell.value))
        return changes

    def plan_councils(self, groups: dict[CouncilKey, list[SheetRow]]) -> None:
        merged = {key: self.merged(rows) for key, rows in groups.items()}
        new_names = {
            key: cells["name"].value
            for key, cells in merged.items()
            if isinstance(key, tuple) and "name" in cells
        }
        slugs = new_slugs(new_names.values(), self.records)
        for key, rows in groups.items():
            cells = merged[key]
            if isinstance(key, tuple):
                missing = [p for p in self.required_for_new if p not in cells]
                if missing:
                    self._problem(
                        rows[0].where,
                        "",
                        f"{rows[0].describe()} has no record yet, and the files do not give "
                        f"what a new one needs: {', '.join(missing)}",
                    )
                    continue
                slug = slugs[new_names[key]]
                record = RecordFile.new(slug, self.folder / f"{slug}.yaml")
                created = True
            else:
                slug, record, created = key, self.records[key], False
            changes = self.apply(record, cells)
            if not changes and not created:
                self.plan.unchanged.append(slug)
                continue
            self.plan.updates.append(
                CouncilImport(slug, record.file, created, changes, "", str(record.get("name")))
            )
            self._changed[slug] = (record, cells)

    def write_texts(self) -> None:
        """The new text of every record that changes (round-trip YAML, on every core)."""
        records = [self._changed[u.slug][0] for u in self.plan.updates]
        for update, text in zip(self.plan.updates, rewrite_all(records), strict=True):
            if isinstance(text, ValueError):
                self._problem(str(update.file), "", str(text))
            else:
                update.text = text

    # -- validating ------------------------------------------------------------------------

    def validate(self) -> None:
        """Each record as it would be written, checked as `validate` checks it; a problem in
        a field a file gave is located at its cell."""
        for update in self.plan.updates:
            record, _ = self._changed[update.slug]
            try:
                validate_council(YamlDocument(update.file, record.data), self.year_format)
            except InputError as error:
                for problem in error.problems:
                    self.plan.problems.append(self._located(update, problem.field, problem))

    def _located(self, update: CouncilImport, field_path: str, problem: Problem) -> CellProblem:
        cells = self._changed[update.slug][1]
        for path in (field_path, field_path.split("[")[0], field_path.split(".")[0]):
            if path in cells:
                return CellProblem(cells[path].where, field_path, problem.message)
        where = str(update.file) if not update.created else f"new record {update.file}"
        return CellProblem(where, field_path, problem.message)

    def run(self, files: Sequence[Path], sheet_name: str | None, mapping: Mapping) -> ImportPlan:
        self._changed: dict[str, tuple[RecordFile, dict[str, Cell]]] = {}
        rows: list[SheetRow] = []
        for file in files:
            try:
                rows.extend(self.read(file, sheet_name, mapping))
            except SheetError as error:
                self.plan.problems.extend(error.problems)
        self.plan.rows = len(rows)
        self.plan.files = len(files)
        groups = self.group(rows)
        self.plan.councils = len(groups)
        if self.plan.problems:
            return self.plan  # rows that could not be matched: changes would mislead
        self.plan_councils(groups)
        mentioned = {k for k in groups if isinstance(k, str)}
        self.plan.unmentioned = sorted(set(self.records) - mentioned)
        if not self.plan.problems:
            self.validate()
        if not self.plan.problems:
            self.write_texts()
        return self.plan


def plan_import(
    paths: Paths,
    year: int,
    files: Sequence[Path],
    sheet_name: str | None = None,
    mapping_file: Path | None = None,
    create: bool = False,
) -> ImportPlan:
    """What importing `files` into `year` would change; nothing is written."""
    importer = _Importer(paths, year, create)
    mapping = Mapping()
    if mapping_file is not None:
        try:
            mapping = read_mapping(mapping_file, importer.declared)
        except SheetError as error:
            importer.plan.problems.extend(error.problems)
            return importer.plan
    return importer.run(files, sheet_name, mapping)


def write_plan(plan: ImportPlan) -> None:
    """Write every changed and created record, each atomically (replaced whole or not at
    all), then flush them to disk together (one sync, not one per file: 340 fsyncs took
    seconds)."""
    for update in plan.updates:
        write_atomic(update.file, update.text, durable=False)
    os.sync()
