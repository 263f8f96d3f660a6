"""A golden check run: the cases of some years, rendered and compared one at a time.

`lgo-letters check` and the pytest golden tests both drive a GoldenSession, so a failing
test shows the same diff as the command.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from lgo_letters.golden.cases import GoldenCase, case_years, discover_cases
from lgo_letters.golden.compare import CaseResult, Status, compare_case
from lgo_letters.golden.rendering import CaseRenderer
from lgo_letters.golden.store import GoldenRecord, golden_names, read_golden, write_golden
from lgo_letters.letter import LetterFailure
from lgo_letters.project import Paths


@dataclass(frozen=True)
class GoldenPaths:
    project: Paths  # data, templates, and out (diff images go to <out>/golden-diff/)
    golden: Path = Path("tests/golden")
    cases: Path = Path("tests/golden_cases")

    @property
    def diff_dir(self) -> Path:
        return self.project.out / "golden-diff"


@dataclass
class Outcome:
    """A case's result, and under --update the golden files that were rewritten."""

    result: CaseResult
    updated: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and self.result.passed

    def report(self) -> list[str]:
        if self.error is not None:
            return [f"ERROR    {self.result.name}: {self.error}"]
        lines = self.result.report()
        if self.updated:
            lines.append(f"  updated {self.result.name}: {', '.join(self.updated)}")
        return lines


class GoldenSession:
    def __init__(self, paths: GoldenPaths, years: list[int] | None = None):
        self.paths = paths
        self.years = years or case_years(paths.project, paths.cases, paths.golden)
        self.case_set = discover_cases(paths.project, paths.cases, self.years)
        self._renderer: CaseRenderer | None = None

    @property
    def cases(self) -> list[GoldenCase]:
        return self.case_set.cases

    @property
    def renderer(self) -> CaseRenderer:
        if self._renderer is None:  # set up fonts only when a case is rendered
            self._renderer = CaseRenderer(self.case_set.templates)
        return self._renderer

    def case(self, name: str) -> GoldenCase:
        """The case named <year>/<slug>."""
        return next(case for case in self.cases if case.name == name)

    def golden_folder(self, name: str) -> Path:
        return self.paths.golden / name

    def check(self, case: GoldenCase, update: bool = False) -> Outcome:
        """Render the case afresh and compare; with `update`, rewrite its golden files."""
        folder = self.golden_folder(case.name)
        rendering = self.renderer.render(case)
        if isinstance(rendering, LetterFailure):
            error = "; ".join(rendering.reasons)
            return Outcome(CaseResult(case.name, Status.CHANGED), error=error)
        result = compare_case(case.name, rendering, read_golden(folder))
        shutil.rmtree(self.paths.diff_dir / case.name, ignore_errors=True)
        if result.page_changes:
            result.write_diff_images(self.paths.diff_dir)
        outcome = Outcome(result)
        if update and (not result.passed or result.bytes_only):
            outcome.updated = write_golden(folder, GoldenRecord.of(rendering))
        return outcome

    def gone(self, update: bool = False) -> list[Outcome]:
        """Golden folders of the checked years with no case; `update` removes them."""
        names = {case.name for case in self.cases}
        outcomes = []
        for name in golden_names(self.paths.golden, self.years):
            if name in names:
                continue
            outcome = Outcome(CaseResult(name, Status.GONE))
            if update:
                shutil.rmtree(self.golden_folder(name))
                outcome.updated = ["folder removed"]
            outcomes.append(outcome)
        return outcomes
