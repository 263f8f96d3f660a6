"""`import`: a year's figures and contacts from spreadsheets into its council records.

Every file is read, every row matched to its record and every value checked before
anything is written; if any row has a problem, nothing is (a half-imported year is worse
than none). One run finds every problem of every file: bad values at their cells, a new
record's missing fields at their blank cells, rows that match no record, and every rule
between fields of the year's format (at the cell of the offending value; where the other
value is the record's, its file and line too). Only the fields the files give change; each
record is then checked exactly as `validate` will read it (its new text parsed and
validated), each problem located at the spreadsheet cell it came from.

Writing is one step (lgo_letters.filesets): every changed record and the year's
provenance.yaml (where each value came from: lgo_letters.exchange.provenance), all or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lgo_letters.errors import InputError, OutputError, Problem, UsageError
from lgo_letters.exchange.columns import Layout, Mapping, count_paths, find_layout, read_mapping
from lgo_letters.exchange.inplace import reads_as
from lgo_letters.exchange.matching import new_slugs
from lgo_letters.exchange.provenance import (
    PROVENANCE,
    Given,
    load_provenance,
    provenance_text,
    updated_provenance,
)
from lgo_letters.exchange.records import RecordFile, edited_in_place, field_rank, rewrite_all
from lgo_letters.exchange.values import to_value
from lgo_letters.filesets import Recovered, Written, recover, write_together
from lgo_letters.project import Paths, check_year
from lgo_letters.schema.loader import council_files, validate_council
from lgo_letters.schema.names import name_key
from lgo_letters.schema.slugs import SLUG_RULE, is_slug
from lgo_letters.schema.yaml_reader import YamlDocument, parse_yaml
from lgo_letters.sheets.problems import (
    SHOWN_CHARACTERS,
    UNPLACED,
    CellProblem,
    Position,
    SheetError,
    shown,
)
from lgo_letters.sheets.reader import (
    MAX_CELL_CHARACTERS,
    Row,
    Sheet,
    TooLong,
    UnsavedFormula,
    read_sheet,
)

# What a new record needs that only a spreadsheet can give, besides its format's statistics.
REQUIRED_FOR_NEW = ("name", "type", "recipients", "role")
_KEYS = ("slug", "code", "name")
# Problems kept in full (the rest are counted): a million-row sheet of errors must not
# fill the memory.
KEPT_PROBLEMS = 10_000
# A row's council: an existing record's slug, or ("new", key) for --create.
CouncilKey = str | tuple[str, str]


@dataclass(frozen=True)
class Cell:
    """A cell's value for one field (None: given, but wrong, and said so), where it is,
    and (for a good value) its provenance."""

    value: Any
    where: str
    position: Position
    given: Given | None = None


@dataclass
class SheetRow:
    """One council's row of one sheet: its parsed values, each with its cell."""

    sheet: Sheet
    row: Row
    layout: Layout
    cells: dict[str, Cell]
    file_index: int

    @property
    def where(self) -> str:
        return self.sheet.where(self.row, 0)

    @property
    def position(self) -> Position:
        return (self.file_index, self.row.number, 0)

    def blank(self, path: str) -> tuple[str, Position] | None:
        """The blank cell of `path`'s column in this row, if the sheet has that column."""
        column = self.layout.column(path)
        if column is None:
            return None
        return self.sheet.where(self.row, column), (self.file_index, self.row.number, column)

    def describe(self) -> str:
        named = [self.cells[k].value for k in ("name", "code", "slug") if k in self.cells]
        return " / ".join(shown(v) for v in named if v is not None)


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
    """A value as messages show it: lists joined; long text cut (never a whole cell)."""
    text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= SHOWN_CHARACTERS else shown(text)


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
    year_dir: Path
    rows: int = 0
    files: int = 0
    councils: int = 0  # that the rows name
    updates: list[CouncilImport] = field(default_factory=list)  # changed or created
    unchanged: list[str] = field(default_factory=list)
    unmentioned: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[CellProblem] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)  # the first KEPT_PROBLEMS
    problem_count: int = 0
    # Rows that match no record (without --create): said once, together.
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (where, names)
    # slug → field → what the files give it (provenance.yaml)
    given: dict[str, dict[str, Given]] = field(default_factory=dict)
    keep: set[str] = field(default_factory=set)  # the councils that have records after

    @property
    def created(self) -> list[CouncilImport]:
        return [u for u in self.updates if u.created]

    @property
    def changed(self) -> list[CouncilImport]:
        return [u for u in self.updates if not u.created]

    def add_problem(self, problem: CellProblem) -> None:
        self.problem_count += 1
        if len(self.problems) < KEPT_PROBLEMS:
            self.problems.append(problem)

    def ordered_problems(self) -> list[CellProblem]:
        """The problems in the order of the rows (file, row, column); those of no row last."""
        return sorted(self.problems, key=lambda p: (p.position, p.where, p.field))


def _comparable(path: str, value: Any) -> Any:
    """`email: a@b.org` and `email: [a@b.org]` are the same addresses; "ST HELENS BOROUGH
    COUNCIL" names the council "St. Helens Borough Council" (a name that matches is a key,
    not a change)."""
    if path in ("email", "cc") and isinstance(value, str):
        return [value]
    if path == "name" and isinstance(value, str):
        return name_key(value)
    return value


def _field_of(path: str) -> str:
    """recipients[0] → recipients; statistics.upheld stays."""
    return path.split("[")[0]


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
        year_dir = paths.data / str(year)
        self.folder = year_dir / "councils"
        self.plan = ImportPlan(year, year_dir)
        self.records: dict[str, RecordFile] = {}
        self._changed: dict[str, tuple[RecordFile, dict[str, Cell], Position]] = {}
        self._bad: dict[str, set[str]] = {}  # slug → fields given wrong or missing
        # slug → its new text as the project's reader read it (write_texts), for validate
        self._read_back: dict[str, YamlDocument] = {}
        self._read_records()

    def _problem(self, where: str, field: str, message: str, position: Position = UNPLACED) -> None:
        self.plan.add_problem(CellProblem(where, field, message, position))

    def _record_problems(self, error: InputError) -> None:
        for problem in error.problems:
            where = f"{problem.file}:{problem.line}" if problem.line else str(problem.file)
            self._problem(where, problem.field, f"cannot import into it: {problem.message}")

    def _read_records(self) -> None:
        # Every file's name, valid or not: a new record never takes one.
        self.taken = {f.stem for f in self.folder.iterdir()} if self.folder.is_dir() else set()
        for file in council_files(self.folder.parent):
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

    def _cell(
        self,
        sheet: Sheet,
        layout: Layout,
        row: Row,
        index: int,
        raw: Any,
        mapping: Mapping,
        at: int,
    ) -> Cell:
        path = layout.fields[index]
        where = sheet.where(row, index)
        position = (at, row.number, index)
        try:
            if isinstance(raw, UnsavedFormula):
                raise ValueError(
                    f"holds a formula with no saved result ({shown(raw.formula)}): open and save "
                    "the file in Excel or LibreOffice, or paste values"
                )
            if isinstance(raw, TooLong):
                raise ValueError(
                    f"the cell holds {raw.length:,} characters (at most "
                    f"{MAX_CELL_CHARACTERS:,}): not a value for a record"
                )
            value = to_value(path, raw, mapping.types, self.counts)
        except ValueError as error:
            self._problem(where, path, str(error), position)
            return Cell(None, where, position)  # given, but wrong
        header = str(layout.header.value(index))
        given = Given(
            value=value,
            file=sheet.file,
            sha256=sheet.sha256,
            sheet=sheet.sheet_name,
            cell=sheet.cell(row, index) if sheet.sheet_name else None,
            line=None if sheet.sheet_name else row.number,
            column=header,
        )
        return Cell(value, where, position, given)

    def read(self, file: Path, sheet_name: str | None, mapping: Mapping, at: int) -> list[SheetRow]:
        sheet = read_sheet(file, sheet_name if file.suffix.lower() != ".csv" else None)
        self.plan.notes.extend(sheet.notes)
        layout = find_layout(sheet, mapping, self.declared)
        if layout.unmapped:
            self.plan.notes.append(
                f"{sheet.label}: not imported (no field of that name; name it with --mapping): "
                + ", ".join(shown(h) for h in layout.unmapped)
            )
        if layout.rates:
            self.plan.notes.append(
                f"{sheet.label}: not imported (a percentage, rate or average is never a count; "
                "the letters compute rates from the counts): "
                + ", ".join(shown(h) for h in layout.rates)
            )
        rows = []
        after_header = next(i for i, r in enumerate(sheet.rows) if r is layout.header) + 1
        for row in sheet.rows[after_header:]:
            cells: dict[str, Cell] = {}
            for index, path in layout.fields.items():
                raw = row.value(index)
                if raw is None:
                    continue  # blank: the field stays as it is
                cells[path] = self._cell(sheet, layout, row, index, raw, mapping, at)
            if not cells:
                continue  # a blank row (trailing rows, spacers)
            if not any(k in cells for k in _KEYS):
                self._problem(
                    sheet.where(row, min(layout.fields)),
                    "",
                    "this row does not name its council (council name, code or slug)",
                    (at, row.number, 0),
                )
                continue
            rows.append(SheetRow(sheet, row, layout, cells, at))
        return rows

    # -- matching --------------------------------------------------------------------------

    def match(self, row: SheetRow) -> CouncilKey | None:
        """The slug of the row's record; ("new", key) for a council new to the year."""
        slug = row.cells.get("slug")
        if slug is not None and slug.value is not None:
            if slug.value in self.records:
                return slug.value
            if self.create:
                return ("slug", slug.value)
            self.plan.unmatched.append((slug.where, shown(slug.value)))
            return None
        code = row.cells.get("code")
        name = row.cells.get("name")
        if code is not None and code.value is not None and code.value in self.by_code:
            matched = self.by_code[code.value]
            self._check_name(row, matched)
            return matched
        if name is not None and name.value is not None:
            slug_by_name = self.by_name.get(name_key(name.value))
            if slug_by_name is not None:
                known = self.records[slug_by_name].get("code")
                if code is not None and code.value and known and known != code.value:
                    self._problem(
                        code.where,
                        "code",
                        f"{code.value} here, but {known} in {self.records[slug_by_name].file} "
                        f"for {shown(name.value)}: which is right?",
                        code.position,
                    )
                    return None
                return slug_by_name
        if code is not None and code.value is None:
            return None  # its code was wrong, and said so
        if self.create:
            if name is None or name.value is None:
                self._problem(
                    row.where,
                    "name",
                    "no record has this code; --create needs the council's name",
                    row.position,
                )
                return None
            return ("new", code.value if code and code.value else name_key(name.value))
        self.plan.unmatched.append((row.where, row.describe()))
        return None

    def _check_name(self, row: SheetRow, slug: str) -> None:
        """A row matched by its code whose name is another: said, and the record's name kept
        (the code decides the council; a misspelt name must not reach its letter)."""
        name = row.cells.get("name")
        record = self.records[slug]
        known = record.get("name")
        if name is None or name.value is None or not isinstance(known, str):
            return
        if name_key(name.value) != name_key(known):
            line = record.line_of("name")
            self.plan.warnings.append(
                CellProblem(
                    name.where,
                    "name",
                    f"{shown(name.value)} here, but {shown(known)} in {record.file}"
                    f"{f':{line}' if line else ''} for the same code {record.get('code')}: "
                    "the row is imported into that record, whose name is kept (correct the "
                    "name in the spreadsheet or the record)",
                    name.position,
                )
            )
        del row.cells["name"]

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
                    row.position,
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
                if earlier is None or earlier.value is None:
                    cells[path] = cell
                elif cell.value is not None and _comparable(path, earlier.value) != _comparable(
                    path, cell.value
                ):
                    self._problem(
                        cell.where,
                        path,
                        f"{_shown(cell.value)} here but {_shown(earlier.value)} at "
                        f"{earlier.where}: which is right?",
                        cell.position,
                    )
                    cells[path] = Cell(None, cell.where, cell.position)
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

    def _new_slugs(self, merged: dict[CouncilKey, dict[str, Cell]]) -> dict[CouncilKey, str]:
        """The file name of each new council: the row's slug, else one made from its name
        (transliterated), else from its code; a row that gives none is refused at its cell."""
        slugs: dict[CouncilKey, str] = {}
        named = {
            key: cells["name"].value
            for key, cells in merged.items()
            if isinstance(key, tuple) and key[0] != "slug" and cells.get("name")
        }
        given = {key[1] for key in merged if isinstance(key, tuple) and key[0] == "slug"}
        made = new_slugs([n for n in named.values() if n], self.taken | given)
        for key, cells in merged.items():
            if not isinstance(key, tuple):
                continue
            slug_cell, name_cell = cells.get("slug"), cells.get("name")
            if key[0] == "slug":
                assert slug_cell is not None
                slug = str(key[1])
                if not is_slug(slug):
                    self._problem(
                        slug_cell.where,
                        "slug",
                        f"{shown(slug)} is not a file name for a record: use {SLUG_RULE}",
                        slug_cell.position,
                    )
                    continue
                if slug.casefold() in {t.casefold() for t in self.taken}:
                    self._problem(
                        slug_cell.where,
                        "slug",
                        f"a file named {slug} is already in {self.folder}: a new record never "
                        "replaces a file; give another slug",
                        slug_cell.position,
                    )
                    continue
                slugs[key] = slug
                continue
            name = named.get(key)
            slug = made.get(name, "") if name else ""
            code = cells.get("code")
            if not slug and code is not None and code.value:
                slug = str(code.value).lower()
                if slug in self.taken:
                    slug = ""
            if not slug:
                where = name_cell or code
                self._problem(
                    where.where if where else "",
                    "name",
                    f"cannot make a file name ({SLUG_RULE}) from {shown(name)}: add a `slug` "
                    "column giving the record's file name, or a `code` column",
                    where.position if where else UNPLACED,
                )
                continue
            slugs[key] = slug
        return slugs

    def _missing(self, rows: list[SheetRow], cells: dict[str, Cell]) -> list[str]:
        """A new record's required fields the files leave out, each said at its blank cell
        (or at the row, when no file has a column for it)."""
        missing = [p for p in self.required_for_new if p not in cells]
        for path in missing:
            blank = next((b for r in rows if (b := r.blank(path)) is not None), None)
            if blank is not None:
                where, position = blank
                message = "this cell is blank, and a new record needs it"
            else:
                where, position = rows[0].where, rows[0].position
                message = "a new record needs it, and no file has a column for it"
            self._problem(where, path, f"{rows[0].describe()}: {message}", position)
        return missing

    def plan_councils(self, groups: dict[CouncilKey, list[SheetRow]]) -> None:
        merged = {key: self.merged(rows) for key, rows in groups.items()}
        slugs = self._new_slugs(merged)
        for key, rows in groups.items():
            cells = merged[key]
            bad = {p for p, c in cells.items() if c.value is None}
            if isinstance(key, tuple):
                bad |= set(self._missing(rows, cells))
                if key not in slugs:
                    continue
                slug = slugs[key]
                record = RecordFile.new(slug, self.folder / f"{slug}.yaml")
                created = True
            else:
                slug, record, created = key, self.records[key], False
            changes = self.apply(record, cells)
            self.plan.keep.add(slug)
            self.plan.given[slug] = {
                p: c.given for p, c in cells.items() if c.given is not None and p != "slug"
            }
            self._bad[slug] = bad
            if not changes and not created:
                self.plan.unchanged.append(slug)
                continue
            self.plan.updates.append(
                CouncilImport(slug, record.file, created, changes, "", str(record.get("name")))
            )
            self._changed[slug] = (record, cells, rows[0].position)

    def write_texts(self) -> None:
        """The new text of every record that changes. Its edits are spliced into its text
        where they can be (lgo_letters.exchange.inplace), and that text is read back at once
        by the project's reader: used only if it holds exactly the values intended. Any
        other record is rewritten by ruamel's round trip (on every core)."""
        slow = []
        for update in self.plan.updates:
            record = self._changed[update.slug][0]
            text = edited_in_place(record)
            if text is not None:
                try:
                    document = parse_yaml(update.file, text)
                except InputError:
                    document = None
                if document is not None and reads_as(document.data, record.data):
                    update.text = text
                    self._read_back[update.slug] = document
                    continue
            slow.append(update)
        records = [self._changed[u.slug][0] for u in slow]
        for update, rewritten in zip(slow, rewrite_all(records), strict=True):
            if isinstance(rewritten, ValueError):
                self._problem(str(update.file), "", str(rewritten), self._changed[update.slug][2])
            else:
                update.text = rewritten

    # -- validating ------------------------------------------------------------------------

    def validate(self) -> None:
        """Each record's new text, read and checked exactly as `validate` will (the same
        reader, the same models, the same rules between fields); a problem in a field a
        file gave is located at its cell."""
        for update in self.plan.updates:
            if not update.text:
                continue
            try:
                document = self._read_back.get(update.slug) or parse_yaml(update.file, update.text)
                validate_council(document, self.year_format)
            except InputError as error:
                for problem in error.problems:
                    located = self._located(update, problem)
                    if located is not None:
                        self.plan.add_problem(located)

    def _other_side(self, path: str) -> str | None:
        """The field a rule between fields compares `path` with (at_most, requires)."""
        spec = self.declared.spec(path.rpartition(".")[2])
        other = spec and (spec.at_most or spec.requires)
        if not other:
            return None
        return f"statistics.{other}" if other in self.declared.statistics else other

    def _located(self, update: CouncilImport, problem: Problem) -> CellProblem | None:
        """The problem at the cell its value came from; None when it repeats one already
        said (a field whose cell was wrong, or that a new record lacks)."""
        record, cells, row_position = self._changed[update.slug]
        path = _field_of(problem.field)
        bad = self._bad.get(update.slug, set())
        other = self._other_side(path) if problem.field == path else None
        if path in bad or (other is not None and other in bad):
            return None
        if path not in cells and path.split(".")[0] in cells:
            path = path.split(".")[0]
        if path in cells:
            message = problem.message
            if other is not None and other not in cells:
                message += self._in_record(record, other)
            return CellProblem(cells[path].where, problem.field, message, cells[path].position)
        if other is not None and other in cells:
            # The record's own value breaks a rule with the value a file gives: said at the
            # file's cell, naming the record's line.
            message = problem.message + self._in_record(record, path)
            return CellProblem(cells[other].where, problem.field, message, cells[other].position)
        line = record.line_of(path)
        if update.created:
            where = f"new record {update.file}"
        else:
            where = f"{update.file}:{line}" if line else str(update.file)
        return CellProblem(where, problem.field, problem.message, row_position)

    @staticmethod
    def _in_record(record: RecordFile, path: str) -> str:
        line = record.line_of(path)
        if not record.exists or line is None:
            return ""
        return f" ({path} {record.get(path)} in {record.file}:{line})"

    def run(self, files: Sequence[Path], sheet_name: str | None, mapping: Mapping) -> ImportPlan:
        rows: list[SheetRow] = []
        for at, file in enumerate(files):
            try:
                rows.extend(self.read(file, sheet_name, mapping, at))
            except SheetError as error:
                for problem in error.problems:
                    self.plan.add_problem(problem)
        self.plan.rows = len(rows)
        self.plan.files = len(files)
        groups = self.group(rows)
        self.plan.councils = len(groups)
        self.plan.problem_count += len(self.plan.unmatched)
        self.plan_councils(groups)
        mentioned = {k for k in groups if isinstance(k, str)}
        self.plan.unmentioned = sorted(set(self.records) - mentioned)
        self.plan.keep |= set(self.records)
        self.write_texts()
        self.validate()
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
            for problem in error.problems:
                importer.plan.add_problem(problem)
            return importer.plan
    return importer.run(files, sheet_name, mapping)


def recover_import(year_dir: Path) -> Recovered:
    """Finish or roll back an import that was interrupted while writing (see
    lgo_letters.filesets); the caller holds the year's lock."""
    return recover(year_dir, folders=(year_dir / "councils",), files=(year_dir / PROVENANCE,))


def write_plan(plan: ImportPlan, at: str, by: str) -> Written:
    """Write every changed and created record and the year's provenance.yaml as one step:
    all of them or none (lgo_letters.filesets). A new record never replaces a file, even
    one made since the plan."""
    for update in plan.created:
        if update.file.exists() or update.file.is_symlink():
            raise OutputError(
                f"cannot create {update.file}: a file of that name appeared since the import "
                "was planned; nothing written"
            )
    before = load_provenance(plan.year_dir)
    after = updated_provenance(before, plan.given, plan.keep, at, by)
    files: dict[Path, str] = {u.file: u.text for u in plan.updates}
    if after != before:
        files[plan.year_dir / PROVENANCE] = provenance_text(after)
    if not files:
        return Written(())
    what = f"import of {len(plan.updates)} record(s) into {plan.year_dir}"
    return write_together(files, plan.year_dir, what)
