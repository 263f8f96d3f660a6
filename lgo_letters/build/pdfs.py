"""The build's PDF phase: worker processes lay out each letter, and this process puts the
PDF (and its new HTML) in place and records them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lgo_letters.build.plan import PlannedLetter
from lgo_letters.build.progress import BuildProgress
from lgo_letters.build.write import LettersWritten, put_in_place
from lgo_letters.errors import LetterFailure
from lgo_letters.layout.jobs import PdfFailed, PdfJob
from lgo_letters.layout.pool import PdfPool
from lgo_letters.manifest import BuiltFile, Manifest


@dataclass(frozen=True)
class PdfsWritten(LettersWritten):
    """The outcome of the PDF phase: the letters written, and the workers' mishaps."""

    workers_lost: int
    letters_retried: int


def render_pdfs(
    letters: Sequence[PlannedLetter],
    out_dir: Path,
    templates_dir: Path,
    jobs: int,
    manifest: Manifest,
    progress: BuildProgress,
    stop: Callable[[], bool],
    checkpoint: Callable[[Manifest], object] = lambda manifest: None,
) -> PdfsWritten:
    """Lay out and write each letter's PDF; a stop, or a folder that refuses every write,
    leaves the rest undone. `checkpoint` is given the manifest after every letter."""
    built: list[str] = []
    failures: list[LetterFailure] = []
    halting: LetterFailure | None = None
    by_slug = {letter.slug: letter for letter in letters}
    progress.start(len(letters))
    pool = PdfPool(jobs, templates_dir, stop_requested=lambda: stop() or halting is not None)
    pdf_jobs = [
        PdfJob(
            letter.slug,
            letter.document,
            out_dir / f"{letter.slug}.pdf",
            letter.input_hash,
            letter.stylesheet,
            letter.record_file,
        )
        for letter in letters
    ]
    for job, outcome in pool.render(pdf_jobs):
        letter = by_slug[job.slug]
        if not isinstance(outcome, PdfFailed):
            outcome, manifest = put_in_place(letter, outcome, job.target, manifest)
        if isinstance(outcome, PdfFailed):
            failures.append(failure := outcome.failure)
            if outcome.whole_folder and halting is None:
                halting = failure
            progress.letter(job.slug, outcome.reason, failed=True)
            continue
        pdf = BuiltFile(
            input=job.input_hash, sha256=outcome.sha256, bytes=outcome.size, pages=outcome.pages
        )
        manifest = manifest.recording(job.slug, letter.name, job.target, pdf)
        checkpoint(manifest)
        built.append(job.slug)
        progress.letter(job.slug, f"{outcome.pages} pages, {outcome.seconds:.2f} s")
    return PdfsWritten(
        tuple(built), tuple(failures), halting, manifest, pool.workers_lost, pool.letters_retried
    )
