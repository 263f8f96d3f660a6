"""Read one year's records from data/<year>/ into validated models.

Every problem in every file is collected, so that one run reports them all; a council
whose record has a problem is left out, and the others carry on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from lgo_letters.errors import InputError, Problem
from lgo_letters.schema.errors import describe, problem_at, problems_from_validation
from lgo_letters.schema.models import CouncilRecord, FormatRecord, YearRecord
from lgo_letters.schema.rules import check_council
from lgo_letters.schema.slugs import record_file_problem
from lgo_letters.schema.yaml_reader import YamlDocument, read_yaml

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class CouncilEntry:
    slug: str
    file: Path
    record: CouncilRecord


@dataclass
class YearRecords:
    """What data/<year>/ holds: the year's record, the valid councils and every problem."""

    year: int
    year_file: Path
    year_record: YearRecord | None
    councils: dict[str, CouncilEntry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Slugs whose files exist but could not be used.
    failed: dict[str, list[Problem]] = field(default_factory=dict)


def _validate(file: Path, model: type[M]) -> tuple[YamlDocument, M]:
    return _validated(read_yaml(file), model)


def _validated(document: YamlDocument, model: type[M]) -> tuple[YamlDocument, M]:
    if not isinstance(document.data, dict):
        raise InputError(
            [
                problem_at(
                    document,
                    "",
                    (
                        "the file must hold a mapping of keys to values, "
                        f"not {describe(document.data)}"
                    ),
                )
            ]
        )
    try:
        return document, model.model_validate(document.data)
    except ValidationError as error:
        raise InputError(problems_from_validation(error, document, model)) from None


def load_year_record(file: Path) -> YearRecord:
    if not file.is_file():
        raise InputError([Problem(file, None, None, "", "the year's file is missing")])
    document, record = _validate(file, YearRecord)
    if record.signature_image:
        image = file.parent / record.signature_image
        # The image is read into every letter: it must live in the data folder.
        data_root = file.parent.parent.resolve()
        if not image.resolve().is_relative_to(data_root):
            raise InputError(
                [
                    problem_at(
                        document, "signature_image", f"must be a file inside {file.parent.parent}"
                    )
                ]
            )
        if not image.is_file():
            raise InputError([problem_at(document, "signature_image", f"no image file at {image}")])
    if record.councils_list:
        listed = file.parent / record.councils_list
        if not listed.resolve().is_relative_to(file.parent.parent.resolve()):
            raise InputError(
                [
                    problem_at(
                        document, "councils_list", f"must be a file inside {file.parent.parent}"
                    )
                ]
            )
        if not listed.is_file():
            raise InputError([problem_at(document, "councils_list", f"no file at {listed}")])
    return record


def load_council(file: Path, format_fields: frozenset[str]) -> CouncilRecord:
    """One council's record, validated, or InputError with every problem found in it."""
    return validate_council(read_yaml(file), format_fields)


def validate_council(document: YamlDocument, format_fields: frozenset[str]) -> CouncilRecord:
    """A council record's data as read (or as `import` would write it), validated."""
    document, record = _validated(document, CouncilRecord)
    findings = check_council(record, format_fields)
    if findings:
        raise InputError([problem_at(document, f, message) for f, message in findings])
    return record


def load_format(file: Path) -> FormatRecord:
    """A year's templates/<year>/format.yaml, validated, or InputError."""
    return _validate(file, FormatRecord)[1]


def council_files(year_dir: Path) -> list[Path]:
    """Every file in councils/ that looks meant as a record: named *.yaml or *.yml in any
    case (so "Dartford.YAML" is reported, not silently skipped); hidden files are not."""
    folder = year_dir / "councils"
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in (".yaml", ".yml") and not p.name.startswith(".")
    )


def _same_council(name: str) -> str:
    return " ".join(name.casefold().split())


def load_year(year_dir: Path, year: int, format_fields: frozenset[str]) -> YearRecords:
    year_file = year_dir / "year.yaml"
    records = YearRecords(year, year_file, None)
    try:
        records.year_record = load_year_record(year_file)
    except InputError as error:
        records.problems.extend(error.problems)

    files = council_files(year_dir)
    if not files:
        records.problems.append(
            Problem(year_dir / "councils", None, None, "", "no council records (*.yaml) found")
        )
    for file in files:
        slug = file.stem
        try:
            if (message := record_file_problem(file.name)) is not None:
                raise InputError([Problem(file, None, None, "", message)])
            record = load_council(file, format_fields)
        except InputError as error:
            records.problems.extend(error.problems)
            records.failed.setdefault(slug, []).extend(error.problems)
            continue
        records.councils[slug] = CouncilEntry(slug, file, record)
    _fail_duplicates(records)
    return records


def _fail_duplicates(records: YearRecords) -> None:
    """Two files for one council: neither is built, as we cannot know which is right."""
    by_name: dict[str, list[CouncilEntry]] = {}
    for entry in records.councils.values():
        by_name.setdefault(_same_council(entry.record.name), []).append(entry)
    for entries in by_name.values():
        if len(entries) < 2:
            continue
        for entry in entries:
            others = ", ".join(str(e.file) for e in entries if e is not entry)
            problem = Problem(
                entry.file,
                *_name_position(entry.file),
                "name",
                (
                    f"'{entry.record.name}' also has a record in {others}: keep one file per "
                    "council (neither letter is built until then)"
                ),
            )
            records.problems.append(problem)
            records.failed[entry.slug] = [problem]
            del records.councils[entry.slug]


def _name_position(file: Path) -> tuple[int | None, int | None]:
    try:
        return read_yaml(file).locate(("name",))
    except InputError:  # changed since it was read; the file alone still says enough
        return None, None
