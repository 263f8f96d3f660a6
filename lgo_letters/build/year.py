"""Build one year's letters: incremental, parallel, failure-isolated and interruptible.

Jinja renders every letter in this process (microseconds a letter) and HTML is written
here; worker processes lay out and write the PDFs. A letter whose inputs have not changed
since the manifest recorded it is left alone. Every file is written atomically and the
manifest names only files already in place, so an interrupted build loses nothing but the
letters it had not finished; the next run does just those.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lgo_letters.build.combined import (
    CombinedLetter,
    combined_input,
    combined_name,
    write_combined,
)
from lgo_letters.build.inputs import (
    engine_fingerprint,
    file_sha256,
    harfbuzz_subset_available,
    letter_input_hash,
    sha256_bytes,
)
from lgo_letters.build.jobs import PdfFailed, PdfJob, PdfWritten
from lgo_letters.build.manifest import MANIFEST, Manifest
from lgo_letters.build.pool import LETTERS_PER_WORKER, PdfPool, default_jobs, warm_up
from lgo_letters.build.progress import BuildProgress
from lgo_letters.context.numbers import counted
from lgo_letters.errors import OutputError, Problem, UsageError
from lgo_letters.letter import LetterFailure, make_letter
from lgo_letters.output import (
    commit,
    discard,
    ensure_output_folder,
    is_own_temporary,
    write_atomic,
    write_temporary,
)
from lgo_letters.project import Paths, PreparedYear, check_year, prepare_year
from lgo_letters.schema import YearRecords

CHECKPOINT_SECONDS = 2.0
HARFBUZZ_WARNING = (
    "warning: libharfbuzz-subset is not installed, so WeasyPrint subsets fonts with fontTools "
    "and every PDF takes about 2.8 times as long. Install it (Debian/Ubuntu: "
    "sudo apt-get install libharfbuzz-subset0; `make` does this when run as root)."
)


@dataclass(frozen=True)
class BuildOptions:
    only: tuple[str, ...] = ()
    fmt: str = "both"  # html, pdf or both
    jobs: int = field(default_factory=default_jobs)
    force: bool = False
    clean: bool = False
    combined: bool = False
    strict: bool = False  # warnings (lgo_letters.completeness) refuse the build
    letters_per_worker: int = LETTERS_PER_WORKER

    @property
    def html(self) -> bool:
        return self.fmt in ("html", "both")

    @property
    def pdf(self) -> bool:
        return self.fmt in ("pdf", "both")


@dataclass(frozen=True)
class Failure:
    """A letter that was not built, and why, each reason located as file:line."""

    slug: str
    reasons: tuple[str, ...]
    record_problems: bool = False  # the reasons are problems of its record (printed as such)


@dataclass
class BuildReport:
    year: int
    out_dir: Path
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    not_done: list[str] = field(default_factory=list)  # left by an interruption
    stale: list[str] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # of the records and year file
    warnings: list[Problem] = field(default_factory=list)  # an incomplete year, pooled averages
    combined: Path | None = None
    combined_note: str = ""
    interrupted_by: int | None = None  # signal number
    halted: bool = False  # stopped early: the output folder refused a write
    refused: str = ""  # why no letter could be written at all
    manifest_error: str = ""
    manifest_damage: str = ""  # the manifest on disk was damaged and treated as absent
    kept: list[str] = field(default_factory=list)  # stale files --clean would not delete
    workers_lost: int = 0
    letters_retried: int = 0
    # each worker process: (peak RSS after its first letter, peak RSS after its last), in KB
    worker_rss_kb: dict[int, tuple[int, int]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (
            self.failures
            or self.problems
            or self.interrupted_by
            or self.halted
            or self.manifest_error
            or self.refused
        )

    @property
    def finished(self) -> bool:
        """Every letter was made or found current although a stop signal came (after the
        last one): nothing is left for another run to do."""
        return not self.not_done and not self.halted and not self.combined_skipped

    combined_skipped: bool = False  # --combined was asked for but a stop came first

    @property
    def failed(self) -> int:
        """Letters not built for a fault: failures, and those a halted build never reached."""
        return len(self.failures) + (len(self.not_done) if self.halted else 0)


class _StopSignals:
    """SIGINT/SIGTERM ask the build to stop after the letters in hand; a second one forces."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.halted = False  # by an output folder that refuses every write

    def __call__(self) -> bool:
        return self.received is not None or self.halted

    def _handle(self, signum: int, _frame: object) -> None:
        if self.received is not None:
            raise KeyboardInterrupt
        self.received = signum

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        signals = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self._handle) for sig in signals}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


@contextlib.contextmanager
def _build_lock(out_dir: Path, year: int) -> Iterator[None]:
    """One build of a year at a time in one output folder (a lock on the folder itself,
    so no lock file is left in it)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    folder = os.open(out_dir, os.O_RDONLY)
    try:
        try:
            fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"another build of {year} is writing to {out_dir}") from None
        yield
    finally:
        os.close(folder)


def _remove_leftover_temporaries(out_dir: Path) -> None:
    """Temporary files of a build that was killed mid-write (see output.write_temporary);
    only files named as this program names them, never anyone else's hidden files."""
    for leftover in out_dir.glob(".*.tmp"):
        if is_own_temporary(leftover):
            leftover.unlink(missing_ok=True)


def build_year(
    paths: Paths,
    year: int,
    options: BuildOptions,
    progress: BuildProgress,
    warn: Callable[[str], object] = print,
) -> BuildReport:
    """Build `year` into paths.out/<year>/; raises UsageError when it cannot start."""
    started = time.perf_counter()
    if options.combined and (options.only or not options.pdf):
        raise UsageError("--combined needs the whole year's PDFs: not with --only or --format html")
    templates = check_year(paths, year)
    out_dir = paths.out / str(year)
    if options.pdf and (options.force or not (out_dir / MANIFEST).is_file()):
        warm_up()  # every PDF will be built: load the workers' WeasyPrint while records load
    prepared = prepare_year(paths, year, options.only, templates)
    report = BuildReport(
        year, out_dir, problems=list(prepared.problems), warnings=list(prepared.warnings)
    )
    if options.strict and report.warnings:
        report.refused = f"--strict: {len(report.warnings)} warning(s); no letter was built"
        report.seconds = time.perf_counter() - started
        return report
    _record_failures(prepared, options, report)
    try:
        ensure_output_folder(out_dir)
        refusal = None
    except OutputError as error:
        refusal = error
        if not out_dir.is_dir() or not os.access(out_dir, os.R_OK | os.X_OK):
            return _refused(report, prepared, error, started)
        # A folder that cannot be written may still hold every letter, current: a build
        # that has nothing to write then succeeds (see _build).

    if options.pdf and refusal is None and not harfbuzz_subset_available():
        warn(HARFBUZZ_WARNING)

    stop = _StopSignals()
    with _build_lock(out_dir, year), stop.installed():
        if refusal is None:
            _remove_leftover_temporaries(out_dir)
        manifest = Manifest.load(out_dir, year)
        report.manifest_damage = manifest.damage
        manifest.engine = engine_fingerprint()
        try:
            _build(paths, prepared, options, progress, manifest, report, stop, refusal)
        finally:
            progress.stop()
            if not report.refused:
                _write_manifest(manifest, report)  # last: it names only files in place
    report.interrupted_by = stop.received
    report.halted = report.halted or stop.halted
    report.seconds = time.perf_counter() - started
    return report


def _refused(
    report: BuildReport, prepared: PreparedYear, error: OutputError, started: float
) -> BuildReport:
    report.refused = f"{error}; no letter was written"
    report.not_done = list(prepared.letters)
    report.halted = True
    report.seconds = time.perf_counter() - started
    return report


def _write_manifest(manifest: Manifest, report: BuildReport) -> None:
    """Write the manifest; a failure costs no letter (the next build redoes this one's)."""
    try:
        manifest.write()
    except OutputError as error:
        report.manifest_error = f"{error}; the next build rebuilds this one's letters"


@dataclass(frozen=True)
class _Planned:
    """One letter whose files must be written: its HTML and whether it needs a new PDF."""

    slug: str
    name: str
    html: str  # the letter's HTML file: document and stylesheet
    document: str  # what the worker lays out, with the stylesheet given apart
    stylesheet: str
    input_hash: str
    write_html: bool  # the HTML file on disk is not this HTML
    make_pdf: bool


def _build(
    paths: Paths,
    prepared: PreparedYear,
    options: BuildOptions,
    progress: BuildProgress,
    manifest: Manifest,
    report: BuildReport,
    stop: _StopSignals,
    refusal: OutputError | None = None,
) -> None:
    records = prepared.records
    halting: Failure | None = None  # the write the output folder refused

    # Jinja here, for every letter: which files are out of date.
    planned: list[_Planned] = []
    for slug in prepared.letters:
        if stop():
            break
        letter = make_letter(prepared, slug)
        if isinstance(letter, LetterFailure):
            report.failures.append(Failure(slug, letter.reasons))
            continue
        html = letter.html
        html_sha = sha256_bytes(html)
        input_hash = letter_input_hash(html_sha)
        name = letter.context.council.name
        html_file = report.out_dir / f"{slug}.html"
        pdf_file = report.out_dir / f"{slug}.pdf"
        write_html = options.html and (options.force or file_sha256(html_file) != html_sha)
        make_pdf = options.pdf and (
            options.force or not manifest.up_to_date(slug, pdf_file, input_hash)
        )
        if options.html and not write_html:
            # Already on disk: the manifest records it (a lost manifest is rebuilt this way).
            _record_html(manifest, slug, name, input_hash, html_file, html)
        if write_html or make_pdf:
            planned.append(
                _Planned(
                    slug,
                    name,
                    html,
                    letter.document,
                    letter.stylesheet,
                    input_hash,
                    write_html,
                    make_pdf,
                )
            )
        else:
            report.unchanged.append(slug)

    if refusal is not None and (planned or (options.clean and _stale(records, options, manifest))):
        # The folder cannot be written and this build has something to write there.
        report.refused = f"{refusal}; no letter was written"
        report.halted = True
        report.not_done = [p.slug for p in planned]
        return

    # HTML alone is written here; a letter with a PDF to make has both written together,
    # once its PDF is laid out (so HTML and PDF never disagree).
    jobs: list[PdfJob] = []
    with_pdf: dict[str, _Planned] = {}
    for plan in planned:
        html_file = report.out_dir / f"{plan.slug}.html"
        if plan.make_pdf:
            if not jobs:
                warm_up()  # (if not yet started) loads WeasyPrint while the rest render
            target = html_file.with_suffix(".pdf")
            jobs.append(PdfJob(plan.slug, plan.document, target, plan.input_hash, plan.stylesheet))
            with_pdf[plan.slug] = plan
            continue
        if stop():
            break
        try:
            write_atomic(html_file, plan.html, durable=False)
        except OutputError as error:
            report.failures.append(failure := Failure(plan.slug, (str(error),)))
            if error.whole_folder:
                stop.halted, halting = True, failure
            continue
        _record_html(manifest, plan.slug, plan.name, plan.input_hash, html_file, plan.html)
        report.built.append(plan.slug)

    _note_stale(records, options, manifest, report)
    if stop.halted:
        jobs = []
    halting = _render_pdfs(
        paths, prepared, options, progress, manifest, report, stop, jobs, with_pdf
    ) or (halting)
    finished = set(report.built) | set(report.unchanged) | {f.slug for f in report.failures}
    report.not_done = [slug for slug in prepared.letters if slug not in finished]
    if halting is not None and report.not_done:
        where = report.failures.index(halting)
        report.failures[where] = Failure(
            halting.slug,
            (f"{halting.reasons[0]}; {len(report.not_done)} more letter(s) not attempted",),
        )
    if options.pdf:
        interrupted = stop()
        report.combined_skipped = interrupted and options.combined
        _combine(prepared, options, manifest, report, interrupted=interrupted)


def _record_html(
    manifest: Manifest, slug: str, name: str, input_hash: str, html_file: Path, html: str
) -> None:
    manifest.record(
        slug, name, input_hash, html_file, sha256=sha256_bytes(html), bytes=len(html.encode())
    )


def _record_failures(prepared: PreparedYear, options: BuildOptions, report: BuildReport) -> None:
    """Letters lost to problems in their records (the problems are reported as such), and,
    when the year's own file has problems, every council's: no letter can be made."""
    records = prepared.records
    for slug, problems in sorted(records.failed.items()):
        if not options.only or slug in options.only:
            report.failures.append(Failure(slug, tuple(map(str, problems)), record_problems=True))
    if records.year_record is None:
        reason = f"{records.year_file} has problems, so no letter of {records.year} can be made"
        for slug in sorted(records.councils):
            if not options.only or slug in options.only:
                report.failures.append(Failure(slug, (reason,)))


def _stale(records: YearRecords, options: BuildOptions, manifest: Manifest) -> list[str]:
    """Councils in the manifest that no longer have a record (none with --only)."""
    if options.only:
        return []
    known = set(records.councils) | set(records.failed)
    return sorted(slug for slug in manifest.councils if slug not in known)


def _note_stale(
    records: YearRecords, options: BuildOptions, manifest: Manifest, report: BuildReport
) -> None:
    """Letters in the manifest of councils that no longer have a record; --clean removes them."""
    report.stale = _stale(records, options, manifest)
    if not options.clean:
        return
    for slug in report.stale:
        kept = False
        for name in manifest.files_of(slug):
            reason = _why_not_delete(report.out_dir, slug, name, manifest.sha256_of(slug, name))
            if reason is None:
                file = report.out_dir / name
                try:
                    file.unlink()
                except OSError as error:
                    reason = f"cannot be deleted ({error.strerror})"
                else:
                    report.removed.append(file)
                    continue
            if reason != "already gone":
                report.kept.append(f"{name!r} of {slug}: {reason}")
                kept = kept or reason.startswith("cannot")
        if not kept:
            manifest.forget(slug)


def _why_not_delete(out_dir: Path, slug: str, name: str, sha256: str | None) -> str | None:
    """None when `name` is a letter file this program wrote for `slug` and may delete: a file
    directly in the year's output folder, named <slug>.html or <slug>.pdf, a regular file
    (not a link or folder) whose bytes are still those the manifest recorded."""
    if name not in (f"{slug}.html", f"{slug}.pdf"):
        return "not a letter file of this council in the output folder (the manifest is wrong)"
    file = out_dir / name
    try:
        mode = file.lstat().st_mode
    except FileNotFoundError:
        return "already gone"
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if not stat.S_ISREG(mode):
        return "not a regular file: left as it is"
    if file_sha256(file) != sha256:
        return "changed since it was built: left as it is"
    return None


def _render_pdfs(
    paths: Paths,
    prepared: PreparedYear,
    options: BuildOptions,
    progress: BuildProgress,
    manifest: Manifest,
    report: BuildReport,
    stop: _StopSignals,
    jobs: list[PdfJob],
    plans: dict[str, _Planned],
) -> Failure | None:
    """Lay out and write the PDFs; returns the failure that halted the build, if one did."""
    halting = None
    progress.start(len(jobs))
    pool = PdfPool(options.jobs, paths.templates, options.letters_per_worker, stop)
    last_checkpoint = time.monotonic()
    for job, outcome in pool.render(jobs):
        council = prepared.records.councils[job.slug]
        if not isinstance(outcome, PdfFailed):
            outcome = _put_in_place(job, outcome, plans[job.slug], report.out_dir, manifest)
        if isinstance(outcome, PdfFailed):
            reason = outcome.reason if outcome.writing else f"{council.file}: {outcome.reason}"
            report.failures.append(failure := Failure(job.slug, (reason,)))
            if outcome.whole_folder and not stop.halted:
                stop.halted, halting = True, failure
            progress.letter(job.slug, outcome.reason, failed=True)
            continue
        manifest.record(
            job.slug,
            council.record.name,
            job.input_hash,
            job.target,
            sha256=outcome.sha256,
            bytes=outcome.size,
            pages=outcome.pages,
        )
        report.built.append(job.slug)
        first, _ = report.worker_rss_kb.get(outcome.worker, (outcome.peak_rss_kb, 0))
        report.worker_rss_kb[outcome.worker] = (first, outcome.peak_rss_kb)
        progress.letter(job.slug, f"{outcome.pages} pages, {outcome.seconds:.2f} s")
        if time.monotonic() - last_checkpoint > CHECKPOINT_SECONDS:
            # A checkpoint that cannot be written is no reason to stop: the final write
            # reports it if it still fails.
            with contextlib.suppress(OutputError):
                manifest.write()
            last_checkpoint = time.monotonic()
    report.workers_lost = pool.workers_lost
    report.letters_retried = pool.letters_retried
    return halting


def _put_in_place(
    job: PdfJob, written: PdfWritten, plan: _Planned, out_dir: Path, manifest: Manifest
) -> PdfWritten | PdfFailed:
    """Rename the worker's PDF into place, and the letter's new HTML right after it: both
    are written first, so a refused write leaves the letter's files as they were. Only this
    process, which holds the output folder's lock, ever replaces a letter."""
    html_file = out_dir / f"{plan.slug}.html"
    html_temporary = None
    try:
        if plan.write_html:
            html_temporary = write_temporary(html_file, plan.html, durable=False)
        commit(written.temporary, job.target)
    except OutputError as error:
        discard(written.temporary)
        if html_temporary is not None:
            discard(html_temporary)
        return PdfFailed(str(error), writing=True, whole_folder=error.whole_folder)
    if html_temporary is not None:
        try:
            commit(html_temporary, html_file)
        except OutputError as error:  # the manifest records the PDF alone: redone next time
            return PdfFailed(str(error), writing=True, whole_folder=error.whole_folder)
        _record_html(manifest, plan.slug, plan.name, plan.input_hash, html_file, plan.html)
    return written


def _combine(
    prepared: PreparedYear,
    options: BuildOptions,
    manifest: Manifest,
    report: BuildReport,
    interrupted: bool = False,
) -> None:
    """Keep the year's combined PDF in step with its letters.

    It is made from the final letters as they are on disk, drafts left out (and named). With
    `--combined` it is written when every letter of the year is built; without, one made
    earlier is rebuilt when its letters changed and the whole year was built, and removed
    when it can no longer be made here (`--only`, a failed letter): it never holds a figure
    its council's own letter no longer has.
    """
    target = report.out_dir / combined_name(prepared.year)
    if manifest.combined and not options.combined and not target.exists():
        manifest.combined = None  # deleted by hand: not made again unless asked for
    previous = manifest.combined
    if not (options.combined or previous):
        return
    missing = sorted(set(prepared.records.failed) | {f.slug for f in report.failures})
    if interrupted or options.only or missing or not prepared.letters:
        why = (
            "the build was interrupted"
            if interrupted
            else f"{len(missing)} letter(s) failed ({', '.join(missing)})"
            if missing
            else "not every letter of the year was built (--only)"
            if options.only
            else "no letters"
        )
        if previous and not _combined_matches(prepared, options, manifest, previous):
            _remove_combined(target, manifest, report, f"its letters changed and {why}")
        elif options.combined:
            report.combined_note = f"combined PDF not written: {why}"
        return

    finals, drafts = [], []
    for slug, letter in prepared.letters.items():
        if letter.council.draft:
            drafts.append(slug)
            continue
        pdf = report.out_dir / f"{slug}.pdf"
        sha = manifest.councils[slug]["files"][pdf.name]["sha256"]
        finals.append(CombinedLetter(slug, letter.council.name, pdf, sha))
    drafts_note = f"; drafts left out: {', '.join(sorted(drafts))}" if drafts else ""
    if not finals:
        if previous:
            _remove_combined(target, manifest, report, "every letter is now a draft")
        else:
            report.combined_note = "combined PDF not written: every letter is a draft"
        return
    input_hash = combined_input(finals)
    unchanged = (
        previous is not None
        and previous.get("input") == input_hash
        and file_sha256(target) == previous.get("sha256")
    )
    report.combined = target
    if unchanged and not options.force:
        report.combined_note = f"combined PDF unchanged: {target}{drafts_note}"
        return
    pages = write_combined(target, prepared.year, finals)
    manifest.combined = {
        "file": target.name,
        "input": input_hash,
        "sha256": file_sha256(target),
        "pages": pages,
        "letters": {letter.slug: letter.sha256 for letter in finals},
        "drafts_left_out": sorted(drafts),
    }
    made = "combined PDF" if options.combined else "combined PDF rebuilt (its letters changed)"
    report.combined_note = (
        f"{made}, a print copy: {target} "
        f"({counted(len(finals), 'letter')}, {counted(pages, 'page')}){drafts_note}"
    )


def _combined_matches(
    prepared: PreparedYear, options: BuildOptions, manifest: Manifest, previous: dict
) -> bool:
    """Whether the letters this build saw are in the combined PDF exactly as they are now
    (a final letter with the same PDF; a draft not at all; a council no longer in the data
    not at all)."""
    members = previous.get("letters")
    if not isinstance(members, dict):  # made before the manifest named its letters
        return False
    if not options.only:
        known = set(prepared.letters) | set(prepared.records.failed)
        if any(slug not in known for slug in members):
            return False
    for slug, letter in prepared.letters.items():
        pdf = manifest.councils.get(slug, {}).get("files", {}).get(f"{slug}.pdf", {})
        if letter.council.draft:
            if slug in members:
                return False
        elif members.get(slug) != pdf.get("sha256"):
            return False
    return True


def _remove_combined(target: Path, manifest: Manifest, report: BuildReport, why: str) -> None:
    """A combined PDF that no longer matches the letters is removed, never left stale."""
    try:
        target.unlink(missing_ok=True)
    except OSError as error:
        report.combined_note = f"combined PDF is stale ({why}) and cannot be removed: {error}"
        return
    manifest.combined = None
    report.combined = None
    report.combined_note = (
        f"combined PDF removed, {why}: {target}; "
        f"`lgo-letters build {manifest.year} --combined` makes it again"
    )
