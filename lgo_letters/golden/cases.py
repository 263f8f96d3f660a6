"""Golden cases: the letters whose golden files record what they say and look like.

A case is one letter of one year: every council record in data/<year>/councils/, and
every edge-case record in data/<year>/golden/cases/. Edge cases share the year's
year.yaml, templates and averages, but are not pooled into those averages, so one case's
figures never change another case's letter.

Each case keeps a brief golden record (its text and its PDF's sha256) or a full one (its
HTML, its PDF's text and pictures of its pages): full for the edge cases and for the
sample councils data/<year>/golden/settings.yaml names, brief for every other council, so
that a year of 340 councils costs a few megabytes, not tens.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lgo_letters.errors import InputError, Problem, UsageError
from lgo_letters.project import Paths, PreparedYear, check_year, prepare_year
from lgo_letters.renderer import Templates
from lgo_letters.schema import loader
from lgo_letters.schema.loader import EDGE_CASES_FOLDER, GOLDEN_SETTINGS_FILE, load_golden_settings


def golden_folder(paths: Paths, year: int) -> Path:
    """Where a year's golden files live: data/<year>/golden/."""
    return loader.golden_folder(paths.data / str(year))


@dataclass(frozen=True)
class GoldenCase:
    year: int
    slug: str
    record_file: Path
    prepared: PreparedYear  # the year it belongs to: make_letter(case.prepared, case.slug)
    full: bool  # keeps pictures of its pages (an edge case or a sample council)
    folder: Path  # the year's golden folder

    @property
    def name(self) -> str:
        """The case's name in reports: <year>/<slug>."""
        return f"{self.year}/{self.slug}"


@dataclass
class CaseSet:
    templates: Templates
    cases: list[GoldenCase] = field(default_factory=list)
    # Records (or settings) that could not be made into a case: each is a failure, never a skip.
    problems: list[Problem] = field(default_factory=list)
    # <year>/<slug> of every record there is, valid or not: golden files of any other name
    # are gone (a record with a problem keeps its golden files until it is fixed).
    known: set[str] = field(default_factory=set)


def _sample_councils(
    paths: Paths, year: int, councils: Iterable[str]
) -> tuple[set[str], list[Problem]]:
    """The councils settings.yaml names as samples, and what is wrong with it."""
    file = golden_folder(paths, year) / GOLDEN_SETTINGS_FILE
    if not file.is_file():
        return set(), []
    try:
        document, settings = load_golden_settings(file)
    except InputError as error:
        return set(), list(error.problems)
    known = set(councils)
    problems = []
    for index, slug in enumerate(settings.sample_councils):
        if slug not in known:
            line, column = document.locate(("sample_councils", index))
            message = f"no council '{slug}' in {paths.data / str(year) / 'councils'}"
            problems.append(Problem(file, line, column, f"sample_councils[{index}]", message))
    return set(settings.sample_councils) & known, problems


def discover_cases(paths: Paths, years: Iterable[int]) -> CaseSet:
    """The cases of the given years, with their prepared years, in name order."""
    case_set: CaseSet | None = None
    for year in years:
        templates = check_year(paths, year)
        if case_set is None:
            case_set = CaseSet(templates)
        edge_cases = loader.edge_case_files(paths.data / str(year))
        prepared = prepare_year(paths, year, templates=templates, unpooled=edge_cases)
        case_set.problems.extend(prepared.problems)
        councils = {*prepared.records.councils, *prepared.records.failed}
        case_set.known.update(f"{year}/{slug}" for slug in councils)
        case_set.known.update(f"{year}/{file.stem}" for file in edge_cases)
        samples, problems = _sample_councils(paths, year, councils)
        case_set.problems.extend(problems)
        for slug in prepared.letters:
            full = slug in samples or slug in prepared.unpooled
            if full and slug == EDGE_CASES_FOLDER:
                # Its golden folder would be the edge cases' folder.
                message = f"'{slug}' names the edge cases' folder: rename this record"
                file = prepared.record_file(slug)
                case_set.problems.append(Problem(file, None, None, "", message))
                continue
            case = GoldenCase(
                year, slug, prepared.record_file(slug), prepared, full, golden_folder(paths, year)
            )
            case_set.cases.append(case)
    if case_set is None:
        raise UsageError("no years to check")
    case_set.cases.sort(key=lambda case: (case.year, case.slug))
    return case_set
