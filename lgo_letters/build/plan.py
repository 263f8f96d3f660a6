"""The build's planning phase: every letter rendered by Jinja (microseconds a letter), and
for each, which of its files are out of date.

A letter's HTML is rewritten when its bytes differ from the file on disk; its PDF is laid
out again when the manifest does not record the file on disk as built from the letter's
current input hash. HTML already current is recorded in the manifest (so a lost manifest is
rebuilt without rewriting a file).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lgo_letters.build.inputs import file_sha256, letter_input_hash, sha256_bytes
from lgo_letters.build.manifest import BuiltFile, Manifest
from lgo_letters.build.options import BuildOptions
from lgo_letters.build.report import Failure
from lgo_letters.letter import LetterFailure, make_letter
from lgo_letters.project import PreparedYear


@dataclass(frozen=True)
class PlannedLetter:
    """One letter whose files must be written: its HTML and whether it needs a new PDF."""

    slug: str
    name: str  # the council's
    record_file: Path
    html: str  # the letter's HTML file: document and stylesheet
    document: str  # what the worker lays out, with the stylesheet given apart
    stylesheet: str
    input_hash: str
    write_html: bool
    make_pdf: bool

    def html_entry(self) -> BuiltFile:
        return html_entry(self.input_hash, self.html)


@dataclass(frozen=True)
class Plan:
    """The planning phase's outcome."""

    letters: tuple[PlannedLetter, ...]  # with something to write
    unchanged: tuple[str, ...]
    failures: tuple[Failure, ...]  # the template failed for these
    manifest: Manifest  # with the HTML found current on disk recorded

    @property
    def html_only(self) -> tuple[PlannedLetter, ...]:
        return tuple(letter for letter in self.letters if not letter.make_pdf)

    @property
    def with_pdf(self) -> tuple[PlannedLetter, ...]:
        return tuple(letter for letter in self.letters if letter.make_pdf)


@dataclass(frozen=True)
class OutOfDate:
    html: bool
    pdf: bool


def html_entry(input_hash: str, html: str) -> BuiltFile:
    data = html.encode()
    return BuiltFile(input=input_hash, sha256=sha256_bytes(data), bytes=len(data))


def out_of_date(
    slug: str,
    html_sha256: str,
    input_hash: str,
    out_dir: Path,
    manifest: Manifest,
    options: BuildOptions,
) -> OutOfDate:
    """Which of a letter's files this build must write, given its HTML's sha256 and its
    input hash: those of the asked-for formats that --force or a change calls for."""
    html = options.html and (options.force or file_sha256(out_dir / f"{slug}.html") != html_sha256)
    pdf = options.pdf and (
        options.force or not manifest.up_to_date(slug, out_dir / f"{slug}.pdf", input_hash)
    )
    return OutOfDate(html, pdf)


def plan_letters(
    prepared: PreparedYear,
    options: BuildOptions,
    out_dir: Path,
    manifest: Manifest,
    stop: Callable[[], bool],
) -> Plan:
    """Render every letter and decide what to write; a stop leaves the rest unplanned."""
    planned: list[PlannedLetter] = []
    unchanged: list[str] = []
    failures: list[Failure] = []
    for slug in prepared.letters:
        if stop():
            break
        letter = make_letter(prepared, slug)
        if isinstance(letter, LetterFailure):
            failures.append(Failure(slug, letter.reasons))
            continue
        html = letter.html
        html_sha256 = sha256_bytes(html)
        input_hash = letter_input_hash(html_sha256)
        name = letter.context.council.name
        writes = out_of_date(slug, html_sha256, input_hash, out_dir, manifest, options)
        if options.html and not writes.html:
            # Already on disk: the manifest records it (a lost manifest is rebuilt this way).
            html_file = out_dir / f"{slug}.html"
            manifest = manifest.recording(slug, name, html_file, html_entry(input_hash, html))
        if not (writes.html or writes.pdf):
            unchanged.append(slug)
            continue
        planned.append(
            PlannedLetter(
                slug,
                name,
                letter.record_file,
                html,
                letter.document,
                letter.stylesheet,
                input_hash,
                write_html=writes.html,
                make_pdf=writes.pdf,
            )
        )
    return Plan(tuple(planned), tuple(unchanged), tuple(failures), manifest)


def record_failures(prepared: PreparedYear, options: BuildOptions) -> tuple[Failure, ...]:
    """Letters lost to problems in their records (the problems are reported as such), and,
    when the year's own file has problems, every council's: no letter can be made."""
    records = prepared.records
    failures = [
        Failure(slug, tuple(map(str, problems)), record_problems=True)
        for slug, problems in sorted(records.failed.items())
        if options.wants(slug)
    ]
    if records.year_record is None:
        reason = f"{records.year_file} has problems, so no letter of {records.year} can be made"
        failures += [
            Failure(slug, (reason,)) for slug in sorted(records.councils) if options.wants(slug)
        ]
    return tuple(failures)
