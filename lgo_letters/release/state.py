"""Where each letter of a year stands: record, draft, built, approved, sent, published.

The letter is rendered afresh (Jinja only, a millisecond a letter) to get the build's
input hash; the manifest says whether the files on disk were built from it; the approval
says what was approved, and what it was made from (lgo_letters/inputs.py), so a change
since can be named.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from lgo_letters.caches import FileDigests, cache_folder, file_digests
from lgo_letters.errors import InputError, LetterFailure, UsageError
from lgo_letters.hashing import file_sha256
from lgo_letters.inputs import (
    HtmlDigest,
    HtmlDigests,
    LetterSources,
    letter_sources,
    year_sources,
)
from lgo_letters.letter import cannot_make, make_letter
from lgo_letters.manifest import Manifest
from lgo_letters.project import Paths, PreparedYear, check_year, collector_paused, prepare_year
from lgo_letters.release.addresses import address_conflicts, remembered_conflicts
from lgo_letters.release.ledgers import (
    Approval,
    LetterInputs,
    SentMessage,
    load_approvals,
    load_published,
    load_sent,
)
from lgo_letters.renderer import Templates

NOT_BUILT, STALE, BUILT = "not built", "stale", "built"


@dataclass
class LetterState:
    slug: str
    name: str
    record_file: Path
    failure: LetterFailure | None = None  # why the letter cannot be made (letter.py decides)
    draft: bool = False
    # What the letter is made from now, and its build's input hash (inputs.py): with
    # them, `inputs` (made only when asked: status has 20,000 letters, few approved).
    sources: LetterSources | None = None
    input_hash: str | None = None
    html: str = ""  # as rendered now
    build: str = NOT_BUILT  # NOT_BUILT, STALE (built from other inputs) or BUILT
    pdf_file: str | None = None  # the PDF on disk, when BUILT (`pdf`)
    pdf_sha256: str | None = None  # of the PDF on disk, when built from the current inputs
    html_sha256: str | None = None
    approval: Approval | None = None
    changes: tuple[str, ...] = ()  # why an approval no longer holds
    attempts: list[SentMessage] = field(default_factory=list)  # every attempt to send it
    emails: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    # An address or domain of this letter's that another council's record also has (and
    # year.yaml does not list as shared): the letter is held back until it is resolved.
    address_conflicts: tuple[str, ...] = ()
    published: bool = False  # this very PDF was published
    # False when the record could not be read (it has problems): its addresses are unknown,
    # not none.
    addresses_known: bool = True

    @functools.cached_property
    def inputs(self) -> LetterInputs | None:
        """What the letter is made from now, as an approval records it."""
        if self.sources is None or self.input_hash is None:
            return None
        return LetterInputs.made_from(self.sources, self.input_hash)

    @property
    def pdf(self) -> Path | None:
        """The letter's PDF on disk, when it is built from the current inputs."""
        return Path(self.pdf_file) if self.pdf_file is not None else None

    @property
    def problems(self) -> tuple[str, ...]:
        """Why the letter cannot be made, each reason located (file:line:col: field: ...)."""
        return self.failure.reasons if self.failure is not None else ()

    @property
    def approved(self) -> bool:
        """Approved, and exactly the letter approved is the one built now."""
        return self.approval is not None and not self.changes

    @property
    def sent(self) -> list[SentMessage]:
        """The messages the server accepted, oldest first."""
        return [attempt for attempt in self.attempts if attempt.sent]

    @property
    def last_sent(self) -> SentMessage | None:
        sent = self.sent
        return sent[-1] if sent else None

    @property
    def last_attempt(self) -> SentMessage | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def superseded(self) -> bool:
        """Sent, then corrected: its record (or a template) changed, it was rebuilt and
        approved again, so the letter approved now is not the one last sent ("sent,
        superseded by a corrected letter"): `send --resend` sends the correction.

        The one rule for it: `status`, the review desk (release.stages), `send` and the
        corrections all ask this. A letter changed since it was sent but not approved again
        is not superseded: it is "changed since approval" (and was sent), as any approved
        letter that changed is, until someone approves the correction."""
        last = self.last_sent
        return (
            self.approved
            and last is not None
            and self.approval is not None
            and last.pdf_sha256 != self.approval.pdf_sha256
        )

    @property
    def address_changes(self) -> list[str]:
        """How the record's addresses differ from those it had when approved (none known
        while the record cannot be read)."""
        if self.approval is None or not self.addresses_known:
            return []
        return [
            change
            for label, then, now in (
                ("email", self.approval.email, self.emails),
                ("cc", self.approval.cc, self.cc),
            )
            if then is not None and (change := _address_change(label, list(then), list(now)))
        ]


@dataclass
class YearState:
    year: int
    year_dir: Path
    prepared: PreparedYear
    letters: dict[str, LetterState]
    # approvals.yaml as read with the letters (all of it, also with `only`): approving
    # under the year's lock starts from these, not from a second reading of the file.
    approvals: dict[str, Approval] = field(default_factory=dict)


def year_state(
    paths: Paths,
    year: int,
    render_all: bool = True,
    only: Collection[str] | None = None,
    templates: Templates | None = None,
) -> YearState:
    """Every council of the year and where its letter stands. With render_all=False (for
    `status` and the review desk's index, which must be quick), records already read are
    taken from the records cache, letters whose sources are those their HTML was last made
    from are not rendered (see inputs.HtmlDigests), no letter's `html` is kept, and the
    files on disk are hashed only when their size or times changed (caches.FileDigests). Commands
    that act (approve, send, publish) read, render and hash everything afresh. With `only`,
    just those councils' letters (the year is still read whole: pooled averages come from
    every record). `templates` may be a Templates already in use, for its compiled
    templates (it must be of the files as they are now)."""
    checked = check_year(paths, year)
    templates = templates or checked
    prepared = prepare_year(paths, year, templates=templates, cache=not render_all)
    with collector_paused():
        return _year_state(paths, year, prepared, render_all, only)


def _year_state(
    paths: Paths, year: int, prepared: PreparedYear, render_all: bool, only: Collection[str] | None
) -> YearState:
    records = prepared.records
    year_dir = paths.data / str(year)
    out_dir = paths.out / str(year)
    manifest = Manifest.load(out_dir, year)
    approvals = load_approvals(year_dir)
    published = load_published(year_dir)
    attempts: dict[str, list[SentMessage]] = {}
    for message in load_sent(year_dir):
        attempts.setdefault(message.council, []).append(message)
    known = None if render_all else HtmlDigests(paths.out, year)
    files = None if render_all else file_digests(paths.out, year)
    sha256_of = file_sha256 if files is None else _remembered_sha256(files, out_dir)

    letters: dict[str, LetterState] = {}
    for slug in records.failed:
        if only is not None and slug not in only:
            continue
        failure = cannot_make(prepared, slug)
        assert failure is not None
        letters[slug] = LetterState(
            slug, slug, failure.problems[0].file, failure, addresses_known=False
        )
    shared = year_sources(prepared) if prepared.letters else None
    for slug, letter in prepared.letters.items():
        assert shared is not None
        if only is not None and slug not in only:
            continue
        entry = records.councils[slug]
        state = LetterState(
            slug,
            letter.council.name,
            entry.file,
            draft=letter.council.draft,
            emails=tuple(entry.record.email or ()),
            cc=tuple(entry.record.cc or ()),
        )
        letters[slug] = state
        sources = letter_sources(prepared, shared, slug)
        digest = known.get(sources) if known else None
        if digest is None:
            made = make_letter(prepared, slug)
            if isinstance(made, LetterFailure):
                state.failure = made
                continue
            # (As build writes it: the same bytes, the same hash.) Kept only when asked
            # for: a status after the templates changed renders every letter, and 20,000
            # letters' HTML, each with its font, held 2.6 GB.
            digest = known.put(sources, made.html) if known else HtmlDigest.of(made.html)
            if render_all:
                state.html = made.html
        state.sources, state.input_hash = sources, digest.input_hash
        _note_build(state, manifest, out_dir, sha256_of)
    if known and files:
        known.save()
        files.save()
    shared_addresses = records.year_record.shared_addresses if records.year_record else []
    names = {slug: entry.record.name for slug, entry in records.councils.items()}
    conflicts_of = (
        address_conflicts(records.councils, shared_addresses)
        if render_all
        else remembered_conflicts(records.councils, shared_addresses, cache_folder(paths.out, year))
    )
    for slug, conflicts in conflicts_of.items():
        letters[slug].address_conflicts = tuple(c.message(names) for c in conflicts)
    for slug, state in letters.items():
        state.approval = approvals.get(slug)
        state.attempts = attempts.get(slug, [])
        state.published = state.pdf_sha256 is not None and published.get(slug) == state.pdf_sha256
        if state.approval is not None:
            state.changes = tuple(changes_since_approval(state, state.approval))
    return YearState(year, year_dir, prepared, dict(sorted(letters.items())), approvals)


def load_year_state(paths: Paths, year: int, render_all: bool = True) -> YearState:
    """The year's state for approve, review, status, send and publish; InputError with the
    problems of a damaged ledger, or of year.yaml (without which no letter can be made)."""
    state = year_state(paths, year, render_all)
    records = state.prepared.records
    if records.year_record is None:
        raise InputError([p for p in state.prepared.problems if p.file == records.year_file])
    return state


def chosen(state: YearState, slugs: list[str]) -> list[str]:
    """`slugs`, once each is known to be a council of the year (UsageError otherwise)."""
    unknown = [slug for slug in slugs if slug not in state.letters]
    if unknown:
        raise UsageError(
            f"no council record for {', '.join(unknown)} in {state.year} "
            f"(valid: {', '.join(state.letters) or 'none'})"
        )
    return slugs


def _remembered_sha256(files: FileDigests, out_dir: Path) -> Callable[[str], str | None]:
    """The sha256 of an output file as `files` remembers it, hashed only when it changed;
    what it knows of the folder is looked up in one pass first."""
    verified = files.known_in(out_dir)

    def sha256_of(path: str) -> str | None:
        return verified.get(path.rpartition("/")[2]) or files.sha256(path)

    return sha256_of


def _note_build(
    state: LetterState,
    manifest: Manifest,
    out_dir: Path,
    sha256_of: Callable[[str], str | None],
) -> None:
    assert state.input_hash is not None
    entry = manifest.councils.get(state.slug)
    if entry is None:
        return  # NOT_BUILT
    built_pdf = entry.files.get(f"{state.slug}.pdf")
    built_html = entry.files.get(f"{state.slug}.html")
    if built_pdf is None or built_html is None:
        return  # NOT_BUILT: both the PDF and the HTML are needed
    current = state.input_hash
    state.build = STALE
    if built_pdf.input != current or built_html.input != current:
        return
    # As text: a Path a file costs more than looking the file up (status: 40,000 files).
    folder = os.fspath(out_dir)
    pdf = f"{folder}/{state.slug}.pdf"
    if (
        sha256_of(pdf) == built_pdf.sha256
        and sha256_of(f"{folder}/{state.slug}.html") == built_html.sha256
    ):
        state.build, state.pdf_file = BUILT, pdf
        state.pdf_sha256, state.html_sha256 = built_pdf.sha256, built_html.sha256


def _address_change(label: str, then: list[str], now: list[str]) -> str | None:
    if [a.casefold() for a in then] == [a.casefold() for a in now]:
        return None
    return f"{label} {', '.join(then) or 'none'} → {', '.join(now) or 'none'}"


def why_not_released(state: LetterState) -> str | None:
    """Why this letter may not go out (be sent or published); None when it is approved and
    is still exactly the letter approved."""
    if state.problems:
        return f"it has problems: {'; '.join(state.problems)}"
    if state.draft:
        return "it is a draft"
    if state.approval is None:
        return "it is not approved"
    if state.changes:
        return f"it changed since its approval: {'; '.join(state.changes)}"
    return None


def changes_since_approval(state: LetterState, approval: Approval) -> list[str]:
    """Why the letter is no longer the one approved; empty when it still is."""
    if state.problems:
        return list(state.problems)
    assert state.inputs is not None
    before, now = approval.inputs, state.inputs
    if before.input == now.input:
        if state.build != BUILT:
            return [f"the approved letter is {state.build}: build it again"]
        if state.pdf_sha256 != approval.pdf_sha256:
            return ["the PDF on disk is not the one approved"]
        return []
    reasons = []
    if before.record != now.record:
        reasons.append(f"its record changed ({state.record_file})")
    if before.year != now.year:
        reasons.append("year.yaml changed")
    if before.averages != now.averages:
        changed = ", ".join(
            f"{name.replace('_', ' ')} {_percent(before.averages.get(name))} → {_percent(value)}"
            for name, value in now.averages.items()
            if before.averages.get(name) != value
        )
        reasons.append(f"the similar-authority averages changed ({changed})")
    if before.templates != now.templates:
        reasons.append("the templates changed")
    if before.engine != now.engine:
        reasons.append("the PDF engine changed (package versions, fonts or PDF code)")
    return reasons or ["the letter's HTML changed"]


def _percent(value: int | None) -> str:
    return "none" if value is None else f"{value}%"
