"""The review desk of `serve --review`: what its pages show, and its two writes.

Every decision is the release package's: where a letter stands (release.state,
release.stages), whether it may be approved or unapproved and how that is recorded
(release.approval, under the year's folder lock, the ledgers read again under it), and
its history (release.history). The desk only reads them for its pages and calls them for
its forms, exactly as `approve` and `unapprove` do on the command line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

from lgo_letters.checking.compare import compare_prepared, previous_year
from lgo_letters.errors import InputError, LetterFailure, UsageError
from lgo_letters.exchange.provenance import Provenance, load_provenance
from lgo_letters.letter import make_letter
from lgo_letters.project import Paths, PreparedYear, prepare_year
from lgo_letters.release.approval import (
    approve,
    text_changes,
    unapprove,
    why_not_approvable,
    why_not_unapprovable,
)
from lgo_letters.release.history import DESK, HistoryEntry, load_history
from lgo_letters.release.lock import year_lock
from lgo_letters.release.stages import STAGES, TO_REVIEW, stage
from lgo_letters.release.state import LetterState, YearState, year_state
from lgo_letters.renderer import Templates
from lgo_letters.serve import panel

log = logging.getLogger(__name__)

# A desk's approval waits this long for another writer of the year (an approve on the
# command line takes a second or so); a `send` holds the lock for its whole run, and an
# approval meanwhile is refused, saying so, rather than leave the page waiting.
LOCK_WAIT_SECONDS = 30.0

SORTS = ("council", "type", "state", "flags", "approved_by", "approved_at")


@dataclass(frozen=True)
class DeskRow:
    slug: str
    name: str
    type: str
    code: str
    stage: str
    flags: tuple[str, ...]
    approved_by: str
    approved_at: str
    via: str  # where the current approval was made: desk, command line, "" (not known)


@dataclass
class DeskView:
    """The year as the files stood at one moment, for every desk page until the next change."""

    state: YearState | None = None
    failure: str | None = None  # why the year cannot be read (year.yaml, a damaged ledger)
    history: list[HistoryEntry] = field(default_factory=list)
    rows: dict[str, DeskRow] = field(default_factory=dict)
    review: panel.ReviewYear | None = None  # what the panel's flags and sources come from


@dataclass(frozen=True)
class Outcome:
    """What a form did: done, or refused with the reason (and the HTTP status to say it)."""

    done: bool
    message: str
    status: int = 200


@dataclass(frozen=True)
class LetterReview:
    row: DeskRow
    letter: LetterState
    shown_sha256: str | None  # of the HTML the page shows, when the letter can be made
    approvable: str | None  # why it cannot be approved now (None: it can)
    unapprovable: str | None
    figures: list[panel.Figure]
    flags: list[panel.Flag]
    changes: list[str]  # the sentence diff, for a letter changed since approval
    history: list[HistoryEntry]
    next_slug: str | None  # the next letter to review after this one


def _via(history: list[HistoryEntry], letter: LetterState) -> str:
    if letter.approval is None:
        return ""
    for entry in reversed(history):
        if entry.council == letter.slug and entry.action == "approve":
            return entry.via if entry.html_sha256 == letter.approval.html_sha256 else ""
    return ""


def _fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file of a folder with its modification time and size."""
    found = []
    for file in sorted(folder.rglob("*")):
        with contextlib.suppress(OSError):
            if file.is_file():
                status = file.stat()
                found.append((str(file), status.st_mtime_ns, status.st_size))
    return tuple(found)


class Desk:
    def __init__(self, paths: Paths, year: int):
        self.paths = paths
        self.year = year
        self.year_dir = paths.data / str(year)
        self.out_dir = paths.out / str(year)
        # Watched for rebuilds: it must exist (build makes it anyway).
        self.out_dir.mkdir(parents=True, exist_ok=True)
        # The per-server secret every form carries: a page elsewhere cannot know it.
        self.token = secrets.token_urlsafe(32)
        self._lock = threading.Lock()
        self._view: DeskView | None = None
        # The year compare compares with, kept while its folder's files are unchanged.
        self._previous: tuple[object, PreparedYear | None] | None = None
        # Jinja compiles the templates once per Templates (a tenth of a second a year):
        # kept while no file of the templates folder has changed, checked at each use.
        self._templates: tuple[tuple[tuple[str, int, int], ...], Templates] | None = None
        self._templates_lock = threading.Lock()

    def templates(self) -> Templates:
        """The templates folder as it is now, reusing the last Templates if nothing changed."""
        fingerprint = _fingerprint(self.paths.templates)
        with self._templates_lock:
            if self._templates is None or self._templates[0] != fingerprint:
                self._templates = (fingerprint, Templates(self.paths.templates))
            return self._templates[1]

    def _lock_year(self) -> contextlib.AbstractContextManager[None]:
        """The year's lock, as `approve` takes it; waited for up to LOCK_WAIT_SECONDS."""
        return year_lock(
            self.year_dir, self.year, "approve", waiting=log.info, timeout=LOCK_WAIT_SECONDS
        )

    def invalidate(self) -> None:
        with self._lock:
            self._view = None

    def prepared(self) -> PreparedYear | None:
        """The year as the desk last read it (None when it could not be read)."""
        state = self.view().state
        return state.prepared if state is not None else None

    def view(self) -> DeskView:
        with self._lock:
            if self._view is None:
                self._view = self._read()
            return self._view

    def _read(self) -> DeskView:
        try:
            # render_all=False: unchanged letters' HTML hashes come from status's cache.
            state = year_state(self.paths, self.year, render_all=False, templates=self.templates())
            history = load_history(self.year_dir)
        except InputError as error:
            return DeskView(failure="\n".join(map(str, error.problems)))
        except UsageError as error:
            return DeskView(failure=str(error))
        prepared = state.prepared
        review = self._review_year(prepared)
        view = DeskView(state, None, history, review=review)
        for slug, letter in state.letters.items():
            entry = prepared.records.councils.get(slug)
            approval = letter.approval
            view.rows[slug] = DeskRow(
                slug,
                letter.name,
                entry.record.type if entry else "",
                (entry.record.code or "") if entry else "",
                stage(letter),
                tuple(flag.message for flag in panel.flags(review, slug) if flag.open),
                approval.by if approval else "",
                approval.at if approval else "",
                _via(history, letter),
            )
        return view

    def _review_year(self, prepared: PreparedYear) -> panel.ReviewYear:
        """The previous year compared with this one, and the year's provenance."""
        previous = self.previous_year()
        comparison = None
        if previous is not None:
            with contextlib.suppress(UsageError, InputError):
                comparison = compare_prepared(prepared, previous)
        try:
            provenance = load_provenance(self.year_dir)
        except InputError as error:  # the sources say "typed in" until it is mended
            log.warning("review desk: %s", "; ".join(map(str, error.problems)))
            provenance = Provenance()
        return panel.ReviewYear(prepared, previous, comparison, provenance)

    def previous_year(self) -> PreparedYear | None:
        """The year `compare` compares with (the latest earlier one with records), read
        again only when a file of its folder has changed."""
        year = previous_year(self.paths, self.year)
        if year is None:
            return None
        key = (year, _fingerprint(self.paths.data / str(year)))
        if self._previous is None or self._previous[0] != key:
            try:
                before: PreparedYear | None = prepare_year(self.paths, year)
            except UsageError:
                before = None
            self._previous = (key, before)
        return self._previous[1]

    # The index

    def rows(
        self, state: str = "", kind: str = "", search: str = "", sort: str = "council",
        descending: bool = False,
    ) -> list[DeskRow]:  # fmt: skip
        """The rows that pass the filters, sorted."""
        words = search.casefold().split()
        rows = [
            row
            for row in self.view().rows.values()
            if (
                not state or row.stage == state or (state == "to review" and row.stage in TO_REVIEW)
            )
            and (not kind or row.type == kind)
            and all(
                word in row.name.casefold() or word in row.slug or word in row.code.casefold()
                for word in words
            )
        ]
        key = {
            "council": lambda r: (r.name.casefold(), r.slug),
            "type": lambda r: (r.type, r.name.casefold()),
            "state": lambda r: (STAGES.index(r.stage), r.name.casefold()),
            "flags": lambda r: (len(r.flags), r.name.casefold()),
            "approved_by": lambda r: (r.approved_by.casefold(), r.name.casefold()),
            "approved_at": lambda r: (r.approved_at, r.name.casefold()),
        }[sort if sort in SORTS else "council"]
        return sorted(rows, key=key, reverse=descending)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STAGES, 0)
        for row in self.view().rows.values():
            counts[row.stage] += 1
        return counts

    def types(self) -> list[str]:
        return sorted({row.type for row in self.view().rows.values() if row.type})

    def next_to_review(self, after: str = "") -> str | None:
        """The next letter waiting for review, in the index's order, after `after`
        (wrapping round); None when none is."""
        order = [row.slug for row in self.rows() if row.stage in TO_REVIEW]
        if not order:
            return None
        later = [slug for slug in order if slug != after]
        if after in order:
            at = order.index(after)
            later = order[at + 1 :] + order[:at]
        return later[0] if later else None

    # A letter

    def letter(self, slug: str) -> LetterReview | None:
        view = self.view()
        if view.state is None or slug not in view.state.letters:
            return None
        state = view.state
        review = view.review
        assert review is not None
        letter = state.letters[slug]
        prepared = state.prepared
        shown = None
        html = ""
        if not letter.problems:
            made = make_letter(prepared, slug)
            if not isinstance(made, LetterFailure):
                html = made.html
                shown = hashlib.sha256(html.encode("utf-8")).hexdigest()
        changes: list[str] = []
        if letter.approval is not None and letter.changes:
            changes = text_changes(state, dataclasses.replace(letter, html=html))
        return LetterReview(
            view.rows[slug],
            letter,
            shown,
            why_not_approvable(letter) or (None if shown else "it cannot be made"),
            why_not_unapprovable(letter),
            panel.figures(review, slug),
            panel.flags(review, slug),
            changes,
            [entry for entry in view.history if entry.council == slug],
            self.next_to_review(slug),
        )

    # The two writes: the release package's, under the year's lock, as on the command line

    def approve(self, slug: str, by: str, shown: str) -> Outcome:
        try:
            with self._lock_year():
                state = year_state(self.paths, self.year, only=[slug], templates=self.templates())
                if slug not in state.letters:
                    return Outcome(False, f"there is no council record {slug}.yaml", 404)
                report = approve(state, [slug], by, via=DESK, shown={slug: shown})
        except (UsageError, InputError) as error:
            return Outcome(False, _message(error), 409)
        finally:
            self.invalidate()  # the watcher will say so too; this page must not wait for it
        if report.refused:
            return Outcome(False, report.refused[slug], 409)
        if report.unchanged:
            return Outcome(True, "it was already approved, exactly as it is now")
        return Outcome(True, "approved")

    def unapprove(self, slug: str, by: str, reason: str) -> Outcome:
        try:
            with self._lock_year():
                state = year_state(self.paths, self.year, only=[slug], templates=self.templates())
                if slug not in state.letters:
                    return Outcome(False, f"there is no council record {slug}.yaml", 404)
                report = unapprove(state, [slug], by, reason, via=DESK)
        except (UsageError, InputError) as error:
            return Outcome(False, _message(error), 409)
        finally:
            self.invalidate()
        if report.refused:
            return Outcome(False, report.refused[slug], 409)
        return Outcome(True, "unapproved")


def _message(error: UsageError | InputError) -> str:
    if isinstance(error, InputError):
        return "; ".join(map(str, error.problems))
    return str(error)
