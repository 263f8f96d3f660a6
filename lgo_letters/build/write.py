"""Putting a letter's files in place: HTML alone, or a new PDF with its HTML.

Every file is written beside its target and renamed into place, so a refused write leaves
a letter's files as they were; a letter with a PDF to make has its HTML written together
with the PDF, once the PDF is laid out, so HTML and PDF never disagree. Only the build
process, which holds the output folder's lock, ever replaces a letter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from lgo_letters.build.plan import PlannedLetter
from lgo_letters.errors import LetterFailure, OutputError
from lgo_letters.layout.jobs import PdfFailed, PdfWritten, output_failure
from lgo_letters.manifest import Manifest
from lgo_letters.output import commit, discard, write_atomic, write_temporary


@dataclass(frozen=True)
class LettersWritten:
    """The outcome of a phase that writes letters: the HTML-only letters, and (with the
    workers' figures, pdfs.PdfsWritten) the letters with a new PDF."""

    built: tuple[str, ...]
    failures: tuple[LetterFailure, ...]
    halting: LetterFailure | None  # the write the output folder refused: nothing more is written
    manifest: Manifest


def write_html_letters(
    letters: Iterable[PlannedLetter], out_dir: Path, manifest: Manifest, stop: Callable[[], bool]
) -> LettersWritten:
    """Write each letter's HTML; a stop, or a folder that refuses every write, ends it."""
    built: list[str] = []
    failures: list[LetterFailure] = []
    for letter in letters:
        if stop():
            break
        html_file = out_dir / f"{letter.slug}.html"
        try:
            write_atomic(html_file, letter.html, durable=False)
        except OutputError as error:
            failures.append(failure := output_failure(letter.slug, html_file, error))
            if error.whole_folder:
                return LettersWritten(tuple(built), tuple(failures), failure, manifest)
            continue
        manifest = manifest.recording(letter.slug, letter.name, html_file, letter.html_entry())
        built.append(letter.slug)
    return LettersWritten(tuple(built), tuple(failures), None, manifest)


def put_in_place(
    letter: PlannedLetter, written: PdfWritten, target: Path, manifest: Manifest
) -> tuple[PdfWritten | PdfFailed, Manifest]:
    """Rename the worker's PDF into place, and the letter's new HTML right after it: both
    are written first, so a refused write leaves the letter's files as they were. Returns
    the outcome and the manifest with the HTML recorded (the caller records the PDF)."""
    html_file = target.with_suffix(".html")
    html_temporary = None
    try:
        if letter.write_html:
            html_temporary = write_temporary(html_file, letter.html, durable=False)
        commit(written.temporary, target)
    except OutputError as error:
        discard(written.temporary)
        if html_temporary is not None:
            discard(html_temporary)
        failed = PdfFailed(output_failure(letter.slug, target, error), error.whole_folder)
        return failed, manifest
    if html_temporary is not None:
        try:
            commit(html_temporary, html_file)
        except OutputError as error:  # the manifest records the PDF alone: redone next time
            failure = output_failure(letter.slug, html_file, error)
            return PdfFailed(failure, error.whole_folder), manifest
        manifest = manifest.recording(letter.slug, letter.name, html_file, letter.html_entry())
    return written, manifest
