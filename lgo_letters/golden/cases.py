"""Golden cases: the letters whose golden files record what they say and look like.

A case is one council's letter of one year: every council record in data/<year>/councils/,
and every edge-case record in the cases folder (tests/golden_cases/<year>/councils/). Edge
cases share the year's data/<year>/year.yaml, templates and averages, but are not pooled
into those averages, so one case's figures never change another case's letter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lgo_letters.context import LetterContext, letter_context
from lgo_letters.project import (
    Paths,
    PreparedYear,
    UsageError,
    check_year,
    prepare_year,
    year_signature,
)
from lgo_letters.renderer import LetterFormat, Templates
from lgo_letters.schema import InputError, Problem
from lgo_letters.schema.loader import SLUG, council_files, load_council
from lgo_letters.schema.models import CouncilRecord


@dataclass(frozen=True)
class GoldenCase:
    year: int
    slug: str
    record_file: Path
    letter_format: LetterFormat
    letter: LetterContext

    @property
    def name(self) -> str:
        """The case's name and its folder under the golden folder: <year>/<slug>."""
        return f"{self.year}/{self.slug}"


@dataclass
class CaseSet:
    templates: Templates
    cases: list[GoldenCase] = field(default_factory=list)
    # Records that could not be made into a case: each is a failure, never a skip.
    problems: list[Problem] = field(default_factory=list)


def case_years(paths: Paths, cases_dir: Path, golden_dir: Path) -> list[int]:
    """Every year with records, edge cases or golden files."""
    years = set(paths.data_years())
    for folder in (cases_dir, golden_dir):
        if folder.is_dir():
            years.update(int(p.name) for p in folder.iterdir() if p.is_dir() and p.name.isdigit())
    return sorted(years)


def _edge_case_record(file: Path, prepared: PreparedYear) -> CouncilRecord:
    """An edge case's record, validated like a council's in data/, or InputError."""
    if not SLUG.match(file.stem):
        message = "not a valid file name: lower-case letters, digits and single hyphens"
        raise InputError([Problem(file, None, None, "", message)])
    if file.stem in prepared.records.councils or file.stem in prepared.records.failed:
        message = f"data/{prepared.year}/councils/ has a record of the same name: rename the case"
        raise InputError([Problem(file, None, None, "", message)])
    return load_council(file, prepared.letter_format.fields)


def discover_cases(paths: Paths, cases_dir: Path, years: Iterable[int]) -> CaseSet:
    """The cases of the given years, with their letter contexts, in name order."""
    case_set: CaseSet | None = None
    for year in years:
        templates = check_year(paths, year)
        if case_set is None:
            case_set = CaseSet(templates)
        prepared = prepare_year(paths, year, templates=templates)
        case_set.problems.extend(prepared.problems)
        for slug, letter in prepared.letters.items():
            record_file = prepared.records.councils[slug].file
            case_set.cases.append(
                GoldenCase(year, slug, record_file, prepared.letter_format, letter)
            )
        if prepared.records.year_record is None:
            continue
        signature = year_signature(prepared.records, templates)
        for file in council_files(cases_dir / str(year)):
            try:
                record = _edge_case_record(file, prepared)
            except InputError as error:
                case_set.problems.extend(error.problems)
                continue
            averages = prepared.averages.get(record.type)
            letter = letter_context(
                file.stem, year, record, prepared.records.year_record, averages, signature
            )
            case_set.cases.append(GoldenCase(year, file.stem, file, prepared.letter_format, letter))
    if case_set is None:
        raise UsageError("no years to check")
    case_set.cases.sort(key=lambda case: (case.year, case.slug))
    return case_set
