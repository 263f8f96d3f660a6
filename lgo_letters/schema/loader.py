"""Read one year's records from data/<year>/ into validated models.

Every problem in every file is collected, so that one run reports them all; a council
whose record has a problem is left out, and the others carry on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from lgo_letters.schema.errors import problem_at, problems_from_validation
from lgo_letters.schema.models import CouncilRecord, YearRecord
from lgo_letters.schema.problems import InputError, Problem
from lgo_letters.schema.rules import check_council
from lgo_letters.schema.yaml_reader import YamlDocument, read_yaml

M = TypeVar("M", bound=BaseModel)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


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
    document = read_yaml(file)
    if not isinstance(document.data, dict):
        message = "the file must hold a mapping of keys to values"
        raise InputError([problem_at(document, "", message)])
    try:
        return document, model.model_validate(document.data)
    except ValidationError as error:
        raise InputError(problems_from_validation(error, document, model)) from None


def load_year_record(file: Path) -> YearRecord:
    if not file.is_file():
        raise InputError([Problem(file, None, None, "", "the year's file is missing")])
    document, record = _validate(file, YearRecord)
    if record.signature_image and not (file.parent / record.signature_image).is_file():
        raise InputError([problem_at(document, "signature_image",
                                     f"no image file at {file.parent / record.signature_image}")])
    return record


def load_council(file: Path, format_fields: frozenset[str]) -> CouncilRecord:
    """One council's record, validated, or InputError with every problem found in it."""
    document, record = _validate(file, CouncilRecord)
    findings = check_council(record, format_fields)
    if findings:
        raise InputError([problem_at(document, f, message) for f, message in findings])
    return record


def council_files(year_dir: Path) -> list[Path]:
    folder = year_dir / "councils"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))


def load_year(year_dir: Path, year: int, format_fields: frozenset[str]) -> YearRecords:
    year_file = year_dir / "year.yaml"
    records = YearRecords(year, year_file, None)
    try:
        records.year_record = load_year_record(year_file)
    except InputError as error:
        records.problems.extend(error.problems)

    names: dict[str, Path] = {}
    files = council_files(year_dir)
    if not files:
        records.problems.append(
            Problem(year_dir / "councils", None, None, "", "no council records (*.yaml) found")
        )
    for file in files:
        slug = file.stem
        try:
            if file.suffix != ".yaml":
                raise InputError([Problem(file, None, None, "", "council records end in .yaml")])
            if not SLUG.match(slug):
                raise InputError([Problem(file, None, None, "", (
                    f"'{file.name}' is not a valid file name: use lower-case letters, digits "
                    "and single hyphens, e.g. harborough.yaml")
                )])
            record = load_council(file, format_fields)
            if record.name in names:
                raise InputError([Problem(file, None, None, "name", (
                    f"'{record.name}' already has a record: {names[record.name]}")
                )])
        except InputError as error:
            records.problems.extend(error.problems)
            records.failed[slug] = error.problems
            continue
        names[record.name] = file
        records.councils[slug] = CouncilEntry(slug, file, record)
    return records
