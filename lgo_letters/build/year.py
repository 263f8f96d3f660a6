"""Build one year's letters: incremental, parallel, failure-isolated and interruptible.

Jinja renders every letter in this process (microseconds a letter) and HTML is written
here; worker processes lay out and write the PDFs. A letter whose inputs have not changed
since the manifest recorded it is left alone. Every file is written atomically and the
manifest names only files already in place, so an interrupted build loses nothing but the
letters it had not finished; the next run does just those.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lgo_letters.build.combined import combined_name, write_combined
from lgo_letters.build.inputs import (
    engine_fingerprint,
    file_sha256,
    harfbuzz_subset_available,
    letter_input_hash,
    sha256_bytes,
)
from lgo_letters.build.jobs import PdfFailed, PdfJob
from lgo_letters.build.manifest import Manifest
from lgo_letters.build.pool import LETTERS_PER_WORKER, PdfPool, default_jobs, warm_up
from lgo_letters.build.progress import BuildProgress
from lgo_letters.output import OutputError, ensure_output_folder, write_atomic
from lgo_letters.project import Paths, PreparedYear, UsageError, check_year, prepare_year
from lgo_letters.renderer import TemplateError, Templates, render_html
from lgo_letters.schema import Problem, YearRecords

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
    other_problems: list[Problem] = field(default_factory=list)  # not tied to one letter
    combined: Path | None = None
    combined_note: str = ""
    interrupted_by: int | None = None  # signal number
    halted: bool = False  # stopped early: the output folder refused a write
    workers_lost: int = 0
    # each worker process: (peak RSS after its first letter, peak RSS after its last), in KB
    worker_rss_kb: dict[int, tuple[int, int]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.failures or self.other_problems or self.interrupted_by)


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
    """One build of a year at a time in one output folder."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    with open(out_dir / ".build.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"another build of {year} is writing to {out_dir}") from None
        yield


def _remove_leftover_temporaries(out_dir: Path) -> None:
    """Temporary files of a build that was killed mid-write (see output.write_atomic)."""
    for leftover in out_dir.glob(".*.tmp"):
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
    if options.pdf:
        warm_up()  # workers get WeasyPrint loaded while this process reads the records
    prepared = prepare_year(paths, year, options.only, templates)
    out_dir = paths.out / str(year)
    ensure_output_folder(out_dir)  # OutputError: nothing can be written there
    report = BuildReport(year, out_dir)
    if options.pdf and not harfbuzz_subset_available():
        warn(HARFBUZZ_WARNING)

    stop = _StopSignals()
    with _build_lock(out_dir, year), stop.installed():
        _remove_leftover_temporaries(out_dir)
        manifest = Manifest.load(out_dir, year)
        manifest.engine = engine_fingerprint()
        try:
            _build(paths, prepared, templates, options, progress, manifest, report, stop)
        finally:
            progress.stop()
            manifest.write()  # last: it names only files already in place
    report.interrupted_by = stop.received
    report.halted = stop.halted
    report.seconds = time.perf_counter() - started
    return report


def _build(
    paths: Paths,
    prepared: PreparedYear,
    templates: Templates,
    options: BuildOptions,
    progress: BuildProgress,
    manifest: Manifest,
    report: BuildReport,
    stop: _StopSignals,
) -> None:
    records = prepared.records
    failed_records: set[Path] = set()
    for slug, problems in sorted(records.failed.items()):
        failed_records.update(p.file for p in problems)
        if not options.only or slug in options.only:
            report.failures.append(Failure(slug, tuple(str(p) for p in problems)))
    # The year's file and anything else not about one council's record.
    report.other_problems = [p for p in prepared.problems if p.file not in failed_records]

    # Jinja and HTML here; PDFs queued for the workers.
    jobs: list[PdfJob] = []
    for slug, letter in prepared.letters.items():
        if stop():
            break
        record_file = records.councils[slug].file
        try:
            html = render_html(templates, prepared.letter_format, letter)
        except TemplateError as error:
            report.failures.append(Failure(slug, (f"{error} (letter for {record_file})",)))
            continue
        input_hash = letter_input_hash(html)
        name = letter.council.name
        wrote_html = False
        if options.html:
            html_file = report.out_dir / f"{slug}.html"
            html_sha = sha256_bytes(html)
            if options.force or file_sha256(html_file) != html_sha:
                try:
                    write_atomic(html_file, html, durable=False)
                except OutputError as error:
                    report.failures.append(Failure(slug, (str(error),)))
                    stop.halted = error.whole_folder
                    continue
                wrote_html = True
            manifest.record(slug, name, input_hash, html_file, sha256=html_sha,
                            bytes=len(html.encode("utf-8")))
        pdf_file = report.out_dir / f"{slug}.pdf"
        if options.pdf and (options.force or not manifest.up_to_date(slug, pdf_file, input_hash)):
            jobs.append(PdfJob(slug, html, pdf_file))
        elif wrote_html:
            report.built.append(slug)
        else:
            report.unchanged.append(slug)

    _note_stale(records, options, manifest, report)
    _render_pdfs(paths, prepared, options, progress, manifest, report, stop, jobs)
    report.not_done = [
        slug for slug in prepared.letters
        if slug not in report.built and slug not in report.unchanged
        and all(f.slug != slug for f in report.failures)
    ]
    if options.combined and not stop():
        _combine(prepared, options, manifest, report)


def _note_stale(
    records: YearRecords, options: BuildOptions, manifest: Manifest, report: BuildReport
) -> None:
    """Letters in the manifest of councils that no longer have a record; --clean removes them."""
    if options.only:
        return
    known = set(records.councils) | set(records.failed)
    report.stale = sorted(slug for slug in manifest.councils if slug not in known)
    if not options.clean:
        return
    for slug in report.stale:
        for name in manifest.files_of(slug):
            file = report.out_dir / name
            if file.exists():
                file.unlink()
                report.removed.append(file)
        manifest.forget(slug)


def _render_pdfs(
    paths: Paths,
    prepared: PreparedYear,
    options: BuildOptions,
    progress: BuildProgress,
    manifest: Manifest,
    report: BuildReport,
    stop: _StopSignals,
    jobs: list[PdfJob],
) -> None:
    progress.start(len(jobs))
    pool = PdfPool(options.jobs, paths.templates, options.letters_per_worker, stop)
    last_checkpoint = time.monotonic()
    for job, outcome in pool.render(jobs):
        council = prepared.records.councils[job.slug]
        if isinstance(outcome, PdfFailed):
            stop.halted = stop.halted or outcome.whole_folder
            report.failures.append(Failure(job.slug, (f"{council.file}: {outcome.reason}",)))
            progress.letter(job.slug, outcome.reason, failed=True)
            continue
        manifest.record(job.slug, council.record.name, letter_input_hash(job.html), job.target,
                        sha256=outcome.sha256, bytes=outcome.size, pages=outcome.pages)
        report.built.append(job.slug)
        first, _ = report.worker_rss_kb.get(outcome.worker, (outcome.peak_rss_kb, 0))
        report.worker_rss_kb[outcome.worker] = (first, outcome.peak_rss_kb)
        progress.letter(job.slug, f"{outcome.pages} pages, {outcome.seconds:.2f} s")
        if time.monotonic() - last_checkpoint > CHECKPOINT_SECONDS:
            manifest.write()
            last_checkpoint = time.monotonic()
    report.workers_lost = pool.workers_lost


def _combine(
    prepared: PreparedYear, options: BuildOptions, manifest: Manifest, report: BuildReport
) -> None:
    """The whole year in one PDF, only when every letter of the year is built and current."""
    missing = sorted(set(prepared.records.failed) | {f.slug for f in report.failures})
    if missing or not prepared.letters:
        report.combined_note = (
            f"combined PDF not written: {len(missing)} letter(s) failed ({', '.join(missing)})"
            if missing else "combined PDF not written: no letters"
        )
        return
    letters = []
    for slug, letter in prepared.letters.items():
        pdf = report.out_dir / f"{slug}.pdf"
        sha = manifest.councils[slug]["files"][pdf.name]["sha256"]
        letters.append((letter.council.name, pdf, sha))
    input_hash = sha256_bytes(repr(sorted((name, sha) for name, _, sha in letters)))
    target = report.out_dir / combined_name(prepared.year)
    report.combined = target
    previous = manifest.combined or {}
    unchanged = previous.get("input") == input_hash and file_sha256(target) == previous.get(
        "sha256")
    if unchanged and not options.force:
        report.combined_note = f"combined PDF unchanged: {target}"
        return
    pages = write_combined(target, prepared.year, [(name, pdf) for name, pdf, _ in letters])
    manifest.combined = {"file": target.name, "input": input_hash,
                         "sha256": file_sha256(target), "pages": pages}
    report.combined_note = f"combined PDF: {target} ({len(letters)} letters, {pages} pages)"
