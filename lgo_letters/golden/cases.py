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

from lgo_letters.errors import Problem, UsageError
from lgo_letters.project import Paths, PreparedYear, check_year, prepare_year
from lgo_letters.renderer import Templates
from lgo_letters.schema.loader import council_files


@dataclass(frozen=True)
class GoldenCase:
    year: int
    slug: str
    record_file: Path
    prepared: PreparedYear  # the year it belongs to: make_letter(case.prepared, case.slug)

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


def discover_cases(paths: Paths, cases_dir: Path, years: Iterable[int]) -> CaseSet:
    """The cases of the given years, with their prepared years, in name order."""
    case_set: CaseSet | None = None
    for year in years:
        templates = check_year(paths, year)
        if case_set is None:
            case_set = CaseSet(templates)
        edge_cases = council_files(cases_dir / str(year))
        prepared = prepare_year(paths, year, templates=templates, unpooled=edge_cases)
        case_set.problems.extend(prepared.problems)
        for slug in prepared.letters:
            case_set.cases.append(GoldenCase(year, slug, prepared.record_file(slug), prepared))
    if case_set is None:
        raise UsageError("no years to check")
    case_set.cases.sort(key=lambda case: (case.year, case.slug))
    return case_set
