"""Build one year's letters: incremental, parallel, failure-isolated and interruptible.

A build is a sequence of phases, each a function that returns its outcome:

  check    the records and templates load (project.prepare_year); --strict; the output
           folder can be written (folder.py)
  plan     Jinja renders every letter in this process, and each letter's files out of
           date are found (plan.py)
  html     letters that need no new PDF have their HTML written (write.py)
  stale    letters of councils no longer in the data are named; --clean removes them
           (stale.py)
  pdfs     worker processes lay out the PDFs; each is put in place with its HTML (pdfs.py)
  combined the year's combined PDF kept in step with its letters (combined.py)
  manifest written last: it names only files already in place (manifest.py)

The report is assembled from the outcomes. Every file is written atomically, so an
interrupted build loses nothing but the letters it had not finished; the next run does just
those.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lgo_letters.build.combined import (
    CombinedInputs,
    CombinedOutcome,
    YearLetter,
    decide_combined,
    update_combined,
)
from lgo_letters.build.folder import check_output_folder, remove_leftover_temporaries
from lgo_letters.build.options import BuildOptions
from lgo_letters.build.pdfs import PdfsWritten, render_pdfs
from lgo_letters.build.plan import Plan, Remembered, plan_letters, record_failures
from lgo_letters.build.progress import BuildProgress
from lgo_letters.build.report import BuildReport
from lgo_letters.build.stale import clean, stale_councils
from lgo_letters.build.write import LettersWritten, write_html_letters
from lgo_letters.caches import file_digests
from lgo_letters.errors import OutputError, UsageError
from lgo_letters.inputs import HtmlDigests, engine_fingerprint, harfbuzz_subset_available
from lgo_letters.layout.pool import warm_up
from lgo_letters.manifest import MANIFEST, Checkpoints, Manifest
from lgo_letters.output import folder_lock
from lgo_letters.project import Paths, PreparedYear, check_year, prepare_year
from lgo_letters.signals import StopSignals

HARFBUZZ_WARNING = (
    "warning: libharfbuzz-subset is not installed, so WeasyPrint subsets fonts with fontTools "
    "and every PDF takes about 2.8 times as long. Install it (Debian/Ubuntu: "
    "sudo apt-get install libharfbuzz-subset0; `make` does this when run as root)."
)


@dataclass(frozen=True)
class _Build:
    """What the phases of one build share, fixed for the whole build."""

    paths: Paths
    options: BuildOptions
    prepared: PreparedYear
    out_dir: Path
    progress: BuildProgress
    stop: StopSignals


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
    prepared = prepare_year(paths, year, options.only, templates, cache=True)
    checked = BuildReport(
        year, out_dir, problems=tuple(prepared.problems), warnings=tuple(prepared.warnings)
    )

    def finish(report: BuildReport) -> BuildReport:
        return dataclasses.replace(report, seconds=time.perf_counter() - started)

    if options.strict and prepared.warnings:
        strict = f"--strict: {len(prepared.warnings)} warning(s); no letter was built"
        return finish(dataclasses.replace(checked, refused=strict))
    checked = dataclasses.replace(checked, failures=record_failures(prepared, options))
    folder = check_output_folder(out_dir)
    if folder.refusal is not None and not folder.readable:
        return finish(_refused(checked, folder.refusal, tuple(prepared.letters)))
    if options.pdf and folder.refusal is None and not harfbuzz_subset_available():
        warn(HARFBUZZ_WARNING)

    build = _Build(paths, options, prepared, out_dir, progress, StopSignals())
    busy = f"another build of {year} is writing to {out_dir}"
    with folder_lock(out_dir, busy), build.stop.installed():
        if folder.refusal is None:
            remove_leftover_temporaries(out_dir)
        loaded = Manifest.load(out_dir, year)
        checked = dataclasses.replace(checked, manifest_damage=loaded.damage)
        saved = Checkpoints(loaded.with_engine(engine_fingerprint()))
        refused: BuildReport | None = None
        remembered = Remembered(HtmlDigests(paths.out, year), file_digests(paths.out, year))
        try:
            plan = plan_letters(prepared, options, out_dir, saved.latest, build.stop, remembered)
            known = [*prepared.records.councils, *prepared.records.failed]
            stale = stale_councils(known, options.only, plan.manifest)
            if folder.refusal is not None and (plan.letters or (options.clean and stale)):
                # The folder cannot be written and this build has something to write there.
                undone = tuple(letter.slug for letter in plan.letters)
                refused = _refused(_planned(checked, plan), folder.refusal, undone)
            else:
                saved.record(plan.manifest)
                report = _write_letters(build, _planned(checked, plan), plan, stale, saved)
        finally:
            progress.stop()
            # Last, and however the build ends: it names only files already in place. Not
            # when the folder refused the build: nothing was written, the manifest neither.
            manifest_error = "" if refused else _write_manifest(saved.latest)
            remembered.save()
    if refused is not None:
        return finish(dataclasses.replace(refused, interrupted_by=build.stop.received))
    return finish(
        dataclasses.replace(
            report, manifest_error=manifest_error, interrupted_by=build.stop.received
        )
    )


def _write_letters(
    build: _Build, planned: BuildReport, plan: Plan, stale: tuple[str, ...], saved: Checkpoints
) -> BuildReport:
    """The phases that write: HTML-only letters, stale letters, PDFs, the combined PDF.
    Each phase's manifest is handed to `saved`, which the build writes when it ends."""
    options, out_dir, stop = build.options, build.out_dir, build.stop
    if plan.with_pdf:
        warm_up()  # (if not yet started) loads WeasyPrint while the HTML is written
    html = write_html_letters(plan.html_only, out_dir, saved.latest, stop)
    saved.record(html.manifest)
    cleaned = clean(stale, out_dir, saved.latest) if options.clean else None
    if cleaned:
        saved.record(cleaned.manifest)
    pdfs = None
    if options.pdf and html.halting is None:
        pdfs = render_pdfs(
            plan.with_pdf,
            out_dir,
            build.paths.templates,
            options.jobs,
            saved.latest,
            build.progress,
            stop,
            checkpoint=saved.record,
        )
        saved.record(pdfs.manifest)
    report = dataclasses.replace(
        _letters_done(planned, build.prepared, html, pdfs),
        stale=stale,
        removed=cleaned.removed if cleaned else (),
        kept=cleaned.kept if cleaned else (),
    )
    if not options.pdf:
        return report
    interrupted = stop() or report.halted
    combined = _combine(build.prepared, options, report, interrupted, saved.latest)
    saved.record(combined.manifest)
    return dataclasses.replace(
        report,
        combined=combined.path,
        combined_note=combined.note,
        combined_skipped=interrupted and options.combined,
    )


def _refused(report: BuildReport, error: OutputError, undone: tuple[str, ...]) -> BuildReport:
    """What the report says when the output folder refuses the build's writes."""
    refused = f"{error}; no letter was written"
    return dataclasses.replace(report, refused=refused, halted=True, not_done=undone)


def _planned(checked: BuildReport, plan: Plan) -> BuildReport:
    """The report once letters are planned: those unchanged, and those the template failed."""
    failures = checked.failures + plan.failures
    return dataclasses.replace(checked, unchanged=plan.unchanged, failures=failures)


def _letters_done(
    report: BuildReport, prepared: PreparedYear, html: LettersWritten, pdfs: PdfsWritten | None
) -> BuildReport:
    """The report of the letters built, failed and left undone by the html and pdfs phases;
    the failure that halted the build says how many letters it left unattempted."""
    built = html.built + (pdfs.built if pdfs else ())
    failures = report.failures + html.failures + (pdfs.failures if pdfs else ())
    finished = {*built, *report.unchanged, *(failure.slug for failure in failures)}
    not_done = tuple(slug for slug in prepared.letters if slug not in finished)
    halting = html.halting or (pdfs.halting if pdfs else None)
    if halting is not None and not_done:
        said = halting.with_note(f"{len(not_done)} more letter(s) not attempted")
        failures = tuple(said if f is halting else f for f in failures)
    return dataclasses.replace(
        report,
        built=built,
        failures=failures,
        not_done=not_done,
        halted=halting is not None,
        workers_lost=pdfs.workers_lost if pdfs else 0,
        letters_retried=pdfs.letters_retried if pdfs else 0,
    )


def _combine(
    prepared: PreparedYear,
    options: BuildOptions,
    report: BuildReport,
    interrupted: bool,
    manifest: Manifest,
) -> CombinedOutcome:
    inputs = CombinedInputs(
        year=prepared.year,
        letters=tuple(
            YearLetter(slug, letter.council.name, bool(letter.council.draft))
            for slug, letter in prepared.letters.items()
        ),
        failed=frozenset(prepared.records.failed) | {f.slug for f in report.failures},
        known=frozenset(prepared.letters) | frozenset(prepared.records.failed),
        asked=options.combined,
        only=bool(options.only),
        force=options.force,
        interrupted=interrupted,
    )
    plan = decide_combined(inputs, manifest, report.out_dir)
    return update_combined(plan, inputs, manifest, report.out_dir)


def _write_manifest(manifest: Manifest) -> str:
    """Write the manifest; a failure costs no letter (the next build redoes this one's)."""
    try:
        manifest.write()
    except OutputError as error:
        return f"{error}; the next build rebuilds this one's letters"
    return ""
