"""What a letter is made from: the one place that says it.

A letter's HTML is made from its record (as validated), the year's file (year.yaml), the
similar-authority averages of its type, the templates (every template, the stylesheet,
every image), the signature image, and lgo-letters' own code with the versions of Jinja
and MarkupSafe. Its PDF is made from that HTML and the engine: the font files, the font
subsetter, the versions of WeasyPrint, pydyf, fontTools and pypdf, lgo-letters' version
and the source of the PDF-writing code.

Three things are computed from it:
- the build's **input hash** of a letter (in the manifest): its HTML's sha256 and the
  engine (`letter_input_hash`), so a letter is rebuilt when either changes;
- the **sources key** of a letter (`LetterSources.key`): everything its HTML is made
  from, as one hash. `build` and `status` keep each letter's HTML sha256 by it
  (`HtmlDigests`), so a letter whose sources did not change is not rendered again just to
  learn its input hash;
- the **parts** an approval records (`release.ledgers.LetterInputs`): record, year,
  averages, templates and engine, each a hash, so a change since approval can be named.
"""

from __future__ import annotations

import ctypes.util
import functools
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from lgo_letters import __version__
from lgo_letters.caches import KeyedCache, cache_folder
from lgo_letters.fonts import font_files
from lgo_letters.hashing import PACKAGE, code_version, file_sha256, json_sha256, sha256_bytes
from lgo_letters.project import PreparedYear, year_signature
from lgo_letters.renderer.webfont import WEBFONT_PACKAGES

# The code between HTML and PDF bytes (the one PDF step and what it calls): a change here
# must rebuild every PDF.
_ENGINE_SOURCES = ("renderer/pdf.py", "fonts.py", "layout/step.py")
_PINNED_PACKAGES = ("weasyprint", "pydyf", "fonttools", "pypdf")
# Besides lgo-letters' own code, what turns a letter's context into its HTML (with the
# font embedded in it: renderer/webfont.py's packages).
_HTML_PACKAGES = ("jinja2", "markupsafe", *WEBFONT_PACKAGES)


@functools.cache
def harfbuzz_subset_available() -> bool:
    """Whether libharfbuzz-subset can be loaded, so WeasyPrint subsets fonts with it rather
    than with fontTools. Looked up as WeasyPrint does (by library name), without importing
    WeasyPrint, which would cost this process a second."""
    return ctypes.util.find_library("harfbuzz-subset") is not None


@functools.cache
def engine_fingerprint() -> dict[str, str]:
    """Everything besides the HTML that decides the bytes of a PDF."""
    fingerprint = {"lgo-letters": __version__}
    for package in _PINNED_PACKAGES:
        fingerprint[package] = metadata.version(package)
    fingerprint["font-subsetter"] = "harfbuzz" if harfbuzz_subset_available() else "fonttools"
    for font in font_files():
        fingerprint[f"font:{font.name}"] = sha256_bytes(font.read_bytes())
    for source in _ENGINE_SOURCES:
        fingerprint[f"source:{source}"] = sha256_bytes((PACKAGE / source).read_bytes())
    return fingerprint


@functools.cache
def _engine_json() -> str:
    return json.dumps(engine_fingerprint(), sort_keys=True)


def letter_input_hash(html_sha256: str, engine: Mapping[str, str] | None = None) -> str:
    """The content hash of everything one letter's PDF is made from, given its HTML's:
    json.dumps({"html": html_sha256, "engine": engine}, sort_keys=True), hashed, with this
    machine's engine_fingerprint() (encoded and hashed once) unless another `engine` is
    given."""
    ending = f"{json.dumps(html_sha256)}}}".encode()
    if engine is not None:
        encoded = json.dumps(engine, sort_keys=True)
        return sha256_bytes(f'{{"engine": {encoded}, "html": '.encode() + ending)
    hashed = _engine_hashed().copy()  # the same bytes hashed: the same hash, a letter a copy
    hashed.update(ending)
    return hashed.hexdigest()


@functools.cache
def _engine_hashed() -> hashlib._Hash:
    """The start of every letter's input, this machine's engine, hashed."""
    return hashlib.sha256(f'{{"engine": {_engine_json()}, "html": '.encode())


def _templates_listing(templates_dir: Path) -> list[tuple[str, str | None]]:
    """Every file of the templates folder, by its path in it, with its sha256."""
    files = sorted(p for p in templates_dir.rglob("*") if p.is_file())
    return [(str(p.relative_to(templates_dir)), file_sha256(p)) for p in files]


def _letter_templates(listing: list[tuple[str, str | None]], year: int) -> str:
    """The hash of the files of the templates folder the year's letters use: not other
    years', not the covering email's nor the publication index's (as approvals record it)."""
    years = {path.split("/", 1)[0] for path, _ in listing if "/" in path}
    other_years = {name for name in years if name.isdigit()} - {str(year)}
    not_letters = other_years | {"publish"}
    letters = [
        (path, digest)
        for path, digest in listing
        if path.split("/", 1)[0] not in not_letters
        and not path.rsplit("/", 1)[-1].startswith("email.")
    ]
    return sha256_bytes(json.dumps(letters))


@dataclass(frozen=True)
class YearSources:
    """What every letter of a year is made from, each part as a hash."""

    year: int
    year_file: str  # year.yaml, as validated
    templates: str  # the templates the year's letters use (what an approval records)
    engine: str  # the engine fingerprint: what turns HTML into PDF
    # The rest of what the HTML is made from: every file of the templates folder (a
    # template may include another year's), the signature, lgo-letters' code and Jinja.
    html_rest: str


def year_sources(prepared: PreparedYear) -> YearSources:
    """The year's shared sources; its year.yaml must be valid."""
    records = prepared.records
    if records.year_record is None:
        raise ValueError(f"{records.year_file} has problems: no letter of it can be made")
    templates_dir = prepared.templates.dir
    listing = _templates_listing(templates_dir)
    signature = year_signature(records, prepared.templates)
    rest = [code_version(*_HTML_PACKAGES), listing, sha256_bytes(signature)]
    return YearSources(
        year=prepared.year,
        # Who the letters may share addresses with changes no letter.
        year_file=sha256_bytes(records.year_record.model_dump_json(exclude={"shared_addresses"})),
        templates=_letter_templates(listing, prepared.year),
        engine=sha256_bytes(_engine_json()),
        html_rest=json_sha256(rest),
    )


@dataclass(frozen=True)
class LetterSources:
    """What one letter is made from, each part as a hash (the averages as they are)."""

    slug: str
    record: str  # the record as validated: a comment added to its file changes nothing
    averages: Mapping[str, int | None]  # the format's averages of the council's type
    year: YearSources

    @functools.cached_property
    def key(self) -> str:
        """Everything the letter's HTML is made from, as one hash."""
        year = self.year
        # Names are lower-case words and values whole numbers or None: unambiguous.
        averages = ",".join(f"{name}={value}" for name, value in self.averages.items())
        parts = (self.slug, str(year.year), self.record, averages, year.year_file, year.html_rest)
        return sha256_bytes("\n".join(parts))


def letter_sources(prepared: PreparedYear, sources: YearSources, slug: str) -> LetterSources:
    """The sources of the letter of `slug`, a council with a letter context in `prepared`."""
    letter = prepared.letters[slug]
    entry = prepared.records.councils.get(slug) or prepared.unpooled[slug]
    return LetterSources(
        slug=slug,
        record=entry.sha256,  # schema.loader.record_sha256 of the letter's record
        averages=dict(letter.averages),
        year=sources,
    )


@dataclass(frozen=True)
class HtmlDigest:
    """A letter's HTML file as made from its sources: its sha256 and size in bytes."""

    sha256: str
    size: int

    @classmethod
    def of(cls, html: str) -> HtmlDigest:
        data = html.encode("utf-8")
        return cls(sha256_bytes(data), len(data))

    @functools.cached_property
    def input_hash(self) -> str:
        return letter_input_hash(self.sha256)


class HtmlDigests:
    """<out>/.cache/<year>/letters.json: each letter's HTML digest by the key of what it
    was made from (LetterSources.key), one entry a council. Valid across code changes: the
    key covers lgo-letters' code."""

    def __init__(self, out: Path, year: int):
        self.cache = KeyedCache(cache_folder(out, year) / "letters.json", "letters", "1")

    def get(self, sources: LetterSources) -> HtmlDigest | None:
        known = self.cache.get(sources.slug)
        if known is None:
            return None
        key, _, rest = known.partition(" ")
        sha256, _, size = rest.partition(" ")
        if key != sources.key or not size.isdigit():
            return None
        return HtmlDigest(sha256, int(size))

    def put(self, sources: LetterSources, html: str) -> HtmlDigest:
        """Record the letter's HTML as made from `sources`; returns its digest."""
        digest = HtmlDigest.of(html)
        self.cache.put(sources.slug, f"{sources.key} {digest.sha256} {digest.size}")
        return digest

    def save(self) -> None:
        self.cache.save()
