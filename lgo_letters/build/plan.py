"""The build's planning phase: for each letter, which of its files are out of date.

A letter's HTML is rewritten when its bytes differ from the file on disk; its PDF is laid
out again when the manifest does not record the file on disk as built from the letter's
current input hash. HTML already current is recorded in the manifest (so a lost manifest is
rebuilt without rewriting a file).

The input hash comes from the letter's HTML. A letter whose sources (lgo_letters/inputs.py)
are those its HTML was last made from takes that HTML's digest from the cache
(HtmlDigests) and is not rendered at all when its files are current; any other letter is
rendered with Jinja (about a millisecond). The files on disk are hashed only when their
size or times changed since they were last hashed (FileDigests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lgo_letters.build.options import BuildOptions
from lgo_letters.caches import FileDigests
from lgo_letters.errors import LetterFailure
from lgo_letters.hashing import file_sha256, sha256_bytes
from lgo_letters.inputs import HtmlDigest, HtmlDigests, letter_sources, year_sources
from lgo_letters.letter import cannot_make, make_letter
from lgo_letters.manifest import BuiltFile, Manifest
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
    failures: tuple[LetterFailure, ...]  # the template failed for these
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
    sha256_of: Callable[[Path], str | None] = file_sha256,
) -> OutOfDate:
    """Which of a letter's files this build must write, given its HTML's sha256 and its
    input hash: those of the asked-for formats that --force or a change calls for. The
    files on disk are hashed by `sha256_of`."""
    html = options.html and (options.force or sha256_of(out_dir / f"{slug}.html") != html_sha256)
    pdf = options.pdf and (
        options.force
        or not manifest.up_to_date(slug, out_dir / f"{slug}.pdf", input_hash, sha256_of)
    )
    return OutOfDate(html, pdf)


@dataclass(frozen=True)
class Remembered:
    """What earlier runs learned (lgo_letters/caches.py): each letter's HTML digest by its
    sources, and the output files' sha256 by their size and times. Without them (tests of
    the plan alone) every letter is rendered and every file hashed."""

    html: HtmlDigests | None = None
    files: FileDigests | None = None

    def save(self) -> None:
        for cache in (self.html, self.files):
            if cache is not None:
                cache.save()


def plan_letters(
    prepared: PreparedYear,
    options: BuildOptions,
    out_dir: Path,
    manifest: Manifest,
    stop: Callable[[], bool],
    remembered: Remembered = Remembered(),
) -> Plan:
    """Decide what to write, rendering the letters that must be (or whose HTML is not
    known); a stop leaves the rest unplanned."""
    planned: list[PlannedLetter] = []
    unchanged: list[str] = []
    failures: list[LetterFailure] = []
    current_html: list[tuple[str, str, Path, HtmlDigest]] = []  # recorded once, at the end
    sha256_of = remembered.files.sha256 if remembered.files else file_sha256
    shared = year_sources(prepared) if remembered.html and prepared.letters else None
    for slug in prepared.letters:
        if stop():
            break
        name = prepared.letters[slug].council.name
        html_file = out_dir / f"{slug}.html"
        sources = letter_sources(prepared, shared, slug) if shared else None
        known = remembered.html.get(sources) if remembered.html and sources else None
        if known is not None and not options.force:
            writes = _writes(slug, known, out_dir, manifest, options, sha256_of)
            if not (writes.html or writes.pdf):
                if options.html:
                    current_html.append((slug, name, html_file, known))
                unchanged.append(slug)
                continue
        letter = make_letter(prepared, slug)
        if isinstance(letter, LetterFailure):
            failures.append(letter)
            continue
        html = letter.html
        if remembered.html and sources:
            digest = remembered.html.put(sources, html)
        else:
            digest = HtmlDigest.of(html)
        writes = _writes(slug, digest, out_dir, manifest, options, sha256_of)
        if options.html and not writes.html:
            # Already on disk: the manifest records it (a lost manifest is rebuilt this way).
            current_html.append((slug, name, html_file, digest))
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
                digest.input_hash,
                write_html=writes.html,
                make_pdf=writes.pdf,
            )
        )
    manifest = _recording_html(manifest, current_html)
    return Plan(tuple(planned), tuple(unchanged), tuple(failures), manifest)


def _writes(
    slug: str,
    digest: HtmlDigest,
    out_dir: Path,
    manifest: Manifest,
    options: BuildOptions,
    sha256_of: Callable[[Path], str | None],
) -> OutOfDate:
    return out_of_date(
        slug, digest.sha256, digest.input_hash, out_dir, manifest, options, sha256_of
    )


def _recording_html(
    manifest: Manifest, current: list[tuple[str, str, Path, HtmlDigest]]
) -> Manifest:
    """`manifest` with the HTML files found current recorded: those it does not already
    record just so (in an up-to-date build, none)."""
    entries = []
    for slug, name, file, digest in current:
        council, built = manifest.councils.get(slug), manifest.file(slug, file.name)
        if (
            council is not None
            and built is not None
            and (council.name, council.input) == (name, digest.input_hash)
            and (built.input, built.sha256, built.bytes, built.pages)
            == (digest.input_hash, digest.sha256, digest.size, None)
        ):
            continue
        entries.append((slug, name, file, _built(digest)))
    return manifest.recording_all(entries)


def _built(digest: HtmlDigest) -> BuiltFile:
    """The manifest's entry of a letter's HTML file, as `digest` describes it."""
    return BuiltFile(input=digest.input_hash, sha256=digest.sha256, bytes=digest.size)


def record_failures(prepared: PreparedYear, options: BuildOptions) -> tuple[LetterFailure, ...]:
    """The letters asked for that cannot be made before any template runs (letter.cannot_make
    decides: problems in their records, or in the year's own file)."""
    records = prepared.records
    failures = []
    for slug in sorted({*records.failed, *records.councils}):
        if options.wants(slug) and (failure := cannot_make(prepared, slug)) is not None:
            failures.append(failure)
    return tuple(failures)
