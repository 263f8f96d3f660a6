"""A golden check run: the cases of some years, rendered afresh and compared.

Each case's HTML is made here; the PDFs are laid out by the build's worker pool, one
worker a core, and each is compared as it arrives. `lgo-letters check` and the pytest
golden tests both drive a GoldenSession, so a failing test shows the same diff as the
command.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lgo_letters.errors import LetterFailure
from lgo_letters.golden.cases import GoldenCase, discover_cases, golden_folder
from lgo_letters.golden.compare import CaseResult, Status, compare_brief, compare_full
from lgo_letters.golden.rendering import Rendering
from lgo_letters.golden.store import (
    BriefRecord,
    FullRecord,
    brief_file,
    full_folder,
    golden_slugs,
    page_file,
    read_brief,
    read_full,
    remove_golden,
    write_brief,
    write_full,
)
from lgo_letters.layout.jobs import PdfFailed, PdfJob
from lgo_letters.layout.pool import PdfPool, default_jobs
from lgo_letters.letter import Letter, make_letter
from lgo_letters.output import commit, discard, ensure_output_folder
from lgo_letters.project import Paths
from lgo_letters.schema.loader import EDGE_CASES_FOLDER


@dataclass(frozen=True)
class GoldenPaths:
    """The project's folders: golden files are in data/<year>/golden/, and the diff
    images and new PDFs of changed cases go to <out>/golden-diff/."""

    project: Paths

    def golden(self, year: int) -> Path:
        return golden_folder(self.project, year)

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


def full_record(rendering: Rendering) -> FullRecord:
    files = {
        "letter.html": rendering.html.encode("utf-8"),
        "pdf-text.txt": rendering.pdf_text.encode("utf-8"),
        "pdf.sha256": f"{rendering.pdf_sha256}\n".encode("ascii"),
    }
    for number, png in enumerate(rendering.page_pngs, start=1):
        files[page_file(number)] = png
    return FullRecord(files)


def brief_record(rendering: Rendering) -> BriefRecord:
    return BriefRecord(rendering.text, rendering.pdf_sha256)


class GoldenSession:
    def __init__(self, paths: GoldenPaths, years: list[int] | None = None, jobs: int = 0):
        self.paths = paths
        self.years = years or paths.project.data_years()
        self.case_set = discover_cases(paths.project, self.years)
        self.jobs = jobs or default_jobs()

    @property
    def cases(self) -> list[GoldenCase]:
        return self.case_set.cases

    def case(self, name: str) -> GoldenCase:
        """The case named <year>/<slug>."""
        return next(case for case in self.cases if case.name == name)

    def run(self, update: bool = False) -> Iterator[Outcome]:
        """Every case's outcome, in name order, then the golden files that have no case;
        with `update`, golden files are rewritten where they differ and removed when gone."""
        yield from self.check(self.cases, update)
        yield from self.gone(update)

    def check(self, cases: list[GoldenCase], update: bool = False) -> Iterator[Outcome]:
        """Render the cases afresh and compare each; with `update`, rewrite its golden files.
        Outcomes come in the order of `cases`, each as soon as it and those before it are done."""
        done: dict[str, Outcome] = {}
        letters: dict[str, Letter] = {}
        for case in cases:
            letter = make_letter(case.prepared, case.slug)
            if isinstance(letter, LetterFailure):
                done[case.name] = _error(case, "; ".join(letter.reasons))  # as build says
            else:
                letters[case.name] = letter
        by_name = {case.name: case for case in cases}
        position = 0

        def ready() -> Iterator[Outcome]:
            nonlocal position
            while position < len(cases) and cases[position].name in done:
                yield done.pop(cases[position].name)
                position += 1

        if not letters:
            yield from ready()
            return
        ensure_output_folder(self.paths.project.out)
        scratch = Path(tempfile.mkdtemp(prefix=".golden-pdfs-", dir=self.paths.project.out))
        try:
            jobs = [
                PdfJob(
                    name,
                    letter.document,
                    scratch / f"{name}.pdf",
                    "",
                    letter.stylesheet,
                    letter.record_file,
                )
                for name, letter in letters.items()
            ]
            pool = PdfPool(self.jobs, self.case_set.templates.dir)
            for job, made in pool.render(jobs):
                case = by_name[job.slug]
                if isinstance(made, PdfFailed):
                    done[case.name] = _error(case, "; ".join(made.failure.reasons))
                else:
                    pdf = made.temporary.read_bytes()
                    rendering = Rendering(letters.pop(case.name), pdf)
                    done[case.name] = self._compare(case, rendering, made.temporary, update)
                    discard(made.temporary)
                yield from ready()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        for name in letters:  # never a silent gap in the report
            done[name] = _error(by_name[name], "its PDF did not come back from the workers")
        yield from ready()

    def _compare(
        self, case: GoldenCase, rendering: Rendering, pdf_file: Path, update: bool
    ) -> Outcome:
        golden = case.folder
        diff_dir = self.paths.diff_dir
        shutil.rmtree(diff_dir / case.name, ignore_errors=True)
        (diff_dir / f"{case.name}.pdf").unlink(missing_ok=True)
        if case.full:
            result = compare_full(case.name, rendering, read_full(full_folder(golden, case.slug)))
            if result.page_changes:
                result.write_diff_images(diff_dir)
        else:
            result = compare_brief(case.name, rendering, read_brief(brief_file(golden, case.slug)))
            if result.pdf_differs:
                result.new_pdf = diff_dir / f"{case.name}.pdf"
                result.new_pdf.parent.mkdir(parents=True, exist_ok=True)
                commit(pdf_file, result.new_pdf)
        outcome = Outcome(result)
        if update and (not result.passed or result.bytes_only):
            if case.full:
                outcome.updated = write_full(golden, case.slug, full_record(rendering))
            else:
                outcome.updated = write_brief(golden, case.slug, brief_record(rendering))
        return outcome

    def gone(self, update: bool = False) -> list[Outcome]:
        """Golden files of the checked years whose case no longer exists; `update` removes
        them. A record with a problem is not gone: its golden files wait for it."""
        outcomes = []
        for year in self.years:
            folder = self.paths.golden(year)
            for slug in golden_slugs(folder, reserved=EDGE_CASES_FOLDER):
                name = f"{year}/{slug}"
                if name in self.case_set.known:
                    continue
                outcome = Outcome(CaseResult(name, Status.GONE))
                if update:
                    remove_golden(folder, slug)
                    outcome.updated = ["golden files removed"]
                outcomes.append(outcome)
        return outcomes


def _error(case: GoldenCase, reason: str) -> Outcome:
    return Outcome(CaseResult(case.name, Status.CHANGED), error=reason)
