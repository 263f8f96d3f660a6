"""What `serve` shows: one year's letters, prepared afresh from the files after each change.

The year is prepared once per change (on the first request after it) and each letter is
rendered on request, so the page always shows the files as they are on disk. Problems never
escape as exceptions: they become pages that say what is wrong and where.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lgo_letters.errors import LetterFailure, UsageError
from lgo_letters.letter import Letter, cannot_make, letter_pdf, make_letter
from lgo_letters.project import Paths, PreparedYear, prepare_year
from lgo_letters.serve import pages
from lgo_letters.serve.pages import CouncilRow

if TYPE_CHECKING:
    from lgo_letters.renderer.pdf import PdfRenderer

HTML = "text/html; charset=utf-8"
PDF = "application/pdf"
# The request was understood, but the files it needs have problems.
UNPROCESSABLE = 422


@dataclass(frozen=True)
class Page:
    status: int
    content_type: str
    body: bytes


def _html(status: int, text: str) -> Page:
    return Page(status, HTML, text.encode("utf-8"))


def _percent(value: int | None) -> str:
    return "no cases" if value is None else f"{value}%"


@dataclass(frozen=True)
class _Snapshot:
    """The year as the files stood at one moment; `failure` when it could not be prepared."""

    prepared: PreparedYear | None = None
    failure: str | None = None

    def slugs(self) -> list[str]:
        if self.prepared is None:
            return []
        return sorted({*self.prepared.records.councils, *self.prepared.records.failed})


class LetterSite:
    def __init__(
        self,
        paths: Paths,
        year: int,
        prepared_elsewhere: Callable[[], PreparedYear | None] | None = None,
    ):
        self.paths = paths
        self.year = year
        # The review desk reads the year anyway: its PreparedYear serves the letters too,
        # rather than the year being read twice after each change (None: read it here).
        self.prepared_elsewhere = prepared_elsewhere
        self._lock = threading.Lock()
        self._snapshot: _Snapshot | None = None
        # Set up on the first PDF request; WeasyPrint renders one letter at a time.
        self._pdf_lock = threading.Lock()
        self._pdf_renderer: PdfRenderer | None = None

    def invalidate(self) -> None:
        """Files changed: the next request prepares the year again."""
        with self._lock:
            self._snapshot = None

    def current(self) -> _Snapshot:
        with self._lock:
            if self._snapshot is None:
                self._snapshot = self._prepare()
            return self._snapshot

    def _prepare(self) -> _Snapshot:
        if self.prepared_elsewhere is not None:
            prepared = self.prepared_elsewhere()
            if prepared is not None:
                return _Snapshot(prepared)
        try:
            return _Snapshot(prepare_year(self.paths, self.year))
        except UsageError as error:
            return _Snapshot(failure=str(error))

    def problem_count(self) -> int:
        snapshot = self.current()
        if snapshot.prepared is None:
            return 1
        return len(snapshot.prepared.problems)

    # Pages

    def index(self) -> Page:
        snapshot = self.current()
        prepared = snapshot.prepared
        rows: list[CouncilRow] = []
        year_problems = []
        year_warnings = []
        rates: list[str] = []
        if prepared is not None:
            rates = list(prepared.letter_format.format.declared.averages)
            records = prepared.records
            year_problems = [p for p in prepared.problems if p.file.stem not in records.failed]
            year_warnings = list(prepared.warnings)
            for slug in snapshot.slugs():
                rows.append(self._row(prepared, slug))
        return _html(
            200,
            pages.index_page(
                self.year,
                str(self.paths.data / str(self.year)),
                rows,
                year_problems,
                snapshot.failure,
                year_warnings,
                rates,
            ),
        )

    @staticmethod
    def _row(prepared: PreparedYear, slug: str) -> CouncilRow:
        records = prepared.records
        failure = cannot_make(prepared, slug)
        if failure is not None:
            # A record's own problems, one a line; the year's file, once for every letter.
            why = list(failure.reasons) if failure.kind == "record" else [failure.summary]
            entry = records.councils.get(slug)
            if entry is None:
                return CouncilRow(slug, slug, "", False, why)
            return CouncilRow(slug, entry.record.name, entry.record.type, entry.record.draft, why)
        record = records.councils[slug].record
        letter = prepared.letters[slug]
        rates = prepared.letter_format.format.declared.averages
        return CouncilRow(
            slug,
            record.name,
            record.type,
            record.draft,
            [],
            {
                name: _percent(letter.declared_rate(name, rate).percent)
                for name, rate in rates.items()
            },
        )

    def _letter(self, slug: str) -> Letter | Page:
        """The letter exactly as `build` writes it, or the page explaining why it cannot be."""
        snapshot = self.current()
        if snapshot.prepared is None:
            return _html(UNPROCESSABLE, pages.year_unavailable_page(slug, snapshot.failure or ""))
        if slug not in snapshot.slugs():
            return self.not_found(f"There is no council record {slug}.yaml.")
        letter = make_letter(snapshot.prepared, slug)
        if isinstance(letter, LetterFailure):
            return _unavailable(letter)
        return letter

    def letter(self, slug: str) -> Page:
        letter = self._letter(slug)
        return letter if isinstance(letter, Page) else _html(200, letter.html)

    def pdf(self, slug: str) -> Page:
        letter = self._letter(slug)
        if isinstance(letter, Page):
            return letter
        with self._pdf_lock:
            if self._pdf_renderer is None:
                from lgo_letters.renderer.pdf import PdfRenderer  # WeasyPrint: on first PDF

                self._pdf_renderer = PdfRenderer(self.paths.templates)
            made = letter_pdf(letter, self._pdf_renderer)
        if isinstance(made, LetterFailure):
            return _unavailable(made)
        return Page(200, PDF, made.pdf)

    def not_found(self, what: str) -> Page:
        return _html(404, pages.not_found_page(self.year, what, self.current().slugs()))


def _unavailable(failure: LetterFailure) -> Page:
    return _html(UNPROCESSABLE, pages.unavailable_page(failure))
