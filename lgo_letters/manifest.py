"""output/<year>/manifest.json: what each letter was built from and what was written.

For each council: the input hash of its letter, and each output file with its sha256,
size, the input hash it was built from and (for a PDF) its page count; and the year's
combined PDF, when there is one. The manifest only ever names files that were completely
written, so it is written after them: at the end of a build, and at checkpoints during it.

Its entries are typed (BuiltFile, CouncilEntry, CombinedEntry) and checked in one place,
Manifest.load; a Manifest is a value: recording a file returns a new one.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from lgo_letters.errors import OutputError
from lgo_letters.hashing import file_sha256
from lgo_letters.output import write_atomic

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
CHECKPOINT_SECONDS = 2.0

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class DamagedManifest(ValueError):
    """The manifest is there but is not one this program wrote: treated as absent."""


class _Entry(BaseModel):
    # strict: a manifest is written by this program, so nothing in it needs coercing.
    model_config = ConfigDict(frozen=True, strict=True, extra="ignore")

    def to_json(self) -> str:
        return json.dumps(self.model_dump(exclude_none=True))


class BuiltFile(_Entry):
    """One file a build wrote: the input hash it was built from, its sha256 and size."""

    input: str
    sha256: Sha256
    bytes: int | None = None
    pages: int | None = None  # a PDF's


class CouncilEntry(_Entry):
    """A council's letter files by name (<slug>.html, <slug>.pdf), and its letter's input."""

    name: str
    files: dict[str, BuiltFile]
    input: str | None = None  # (on disk after "files", where it has always been)


class CombinedEntry(_Entry):
    """The year's combined PDF: what it was made of (each letter's PDF sha256, by slug)."""

    file: str
    input: str
    sha256: Sha256
    pages: int
    letters: dict[str, str] | None = None  # None: made before the manifest named its letters
    drafts_left_out: list[str] | None = None


class _Content(BaseModel):
    """A manifest file's content as this program writes it (format and year checked apart)."""

    model_config = ConfigDict(strict=True, extra="ignore")

    councils: dict[str, CouncilEntry]
    combined: CombinedEntry | None = None
    engine: dict[str, str] = {}


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(map(str, first["loc"]))
    return f"{where}: {first['msg']}" if where else first["msg"]


@dataclass(frozen=True)
class Manifest:
    path: Path
    year: int
    councils: Mapping[str, CouncilEntry] = field(default_factory=dict)
    combined: CombinedEntry | None = None
    engine: Mapping[str, str] = field(default_factory=dict)
    damage: str = ""  # why the manifest on disk was not used, when it was there but damaged
    written: str = ""  # the text on disk, so that an unchanged manifest is not rewritten
    # What the text on disk says, as loaded or written: a manifest whose councils are still
    # that very mapping, with the same combined PDF and engine, is not encoded again to
    # learn that it is unchanged (20,000 councils take a third of a second to encode).
    on_disk: tuple[object, ...] | None = field(default=None, compare=False, repr=False)
    # Each council's line as last encoded, with the entry it encodes: shared by the
    # manifests recorded from this one, so a checkpoint encodes only the entries that
    # changed since the last (entries are immutable: the same entry, the same line).
    encoded: dict[str, tuple[CouncilEntry, str]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def load(cls, out_dir: Path, year: int) -> Manifest:
        """The manifest in out_dir; empty when there is none, and empty with `damage` set
        when it cannot be read or is not a manifest this program wrote (every letter then
        rebuilds, which is always safe)."""
        path = out_dir / MANIFEST
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path, year)
        except (OSError, ValueError) as error:
            return cls(path, year, damage=f"{path} cannot be read ({error})")
        try:
            content = _parse(text, year)
        except ValueError as error:  # JSONDecodeError and DamagedManifest
            return cls(path, year, damage=f"{path} is damaged: {error}")
        loaded = cls(path, year, content.councils, content.combined, content.engine, written=text)
        return replace(loaded, on_disk=loaded._state())

    def _state(self) -> tuple[object, ...]:
        return (self.councils, self.combined, dict(self.engine))

    def _unchanged(self) -> bool:
        """Whether this manifest says what the one on disk says, known without encoding it."""
        if self.on_disk is None:
            return False
        councils, combined, engine = self.on_disk
        return self.councils is councils and (self.combined, dict(self.engine)) == (
            combined,
            engine,
        )

    def file(self, slug: str, name: str) -> BuiltFile | None:
        """What the manifest recorded of `slug`'s file `name`, if it recorded it."""
        entry = self.councils.get(slug)
        return entry.files.get(name) if entry else None

    def up_to_date(
        self,
        slug: str,
        file: Path,
        input_hash: str,
        sha256_of: Callable[[Path], str | None] = file_sha256,
    ) -> bool:
        """Whether `file` on disk is the one this manifest says was built from `input_hash`
        (its sha256 as `sha256_of` gives it: lgo_letters.caches.FileDigests re-reads only a
        file whose size or times changed)."""
        built = self.file(slug, file.name)
        return built is not None and built.input == input_hash and sha256_of(file) == built.sha256

    def files_of(self, slug: str) -> list[str]:
        entry = self.councils.get(slug)
        return sorted(entry.files) if entry else []

    def sha256_of(self, slug: str, name: str) -> str | None:
        """The sha256 the manifest recorded for `slug`'s file `name`."""
        built = self.file(slug, name)
        return built.sha256 if built else None

    def recording(self, slug: str, name: str, file: Path, built: BuiltFile) -> Manifest:
        """This manifest with `file` of council `slug` (called `name`) recorded as built."""
        return self.recording_all([(slug, name, file, built)])

    def recording_all(self, files: Iterable[tuple[str, str, Path, BuiltFile]]) -> Manifest:
        """This manifest with each (slug, name, file, built) recorded as `recording` would,
        in order: one copy of the manifest for them all, not one each."""
        councils = dict(self.councils)
        changed = False
        for slug, name, file, built in files:
            previous = councils.get(slug)
            if (
                previous is not None
                and (previous.name, previous.input) == (name, built.input)
                and previous.files.get(file.name) == built
            ):
                continue  # recorded already, just so
            entries = {**(previous.files if previous else {}), file.name: built}
            councils[slug] = CouncilEntry(name=name, files=entries, input=built.input)
            changed = True
        return replace(self, councils=councils) if changed else self

    def _line(self, slug: str, entry: CouncilEntry) -> str:
        known = self.encoded.get(slug)
        if known is not None and known[0] is entry:
            return known[1]
        line = entry.to_json()
        self.encoded[slug] = (entry, line)
        return line

    def forgetting(self, slug: str) -> Manifest:
        return replace(self, councils={k: v for k, v in self.councils.items() if k != slug})

    def with_combined(self, combined: CombinedEntry | None) -> Manifest:
        return replace(self, combined=combined)

    def with_engine(self, engine: Mapping[str, str]) -> Manifest:
        return replace(self, engine=dict(engine))

    def write(self) -> Manifest:
        """Write the manifest, unless the one on disk already says the same; returns it as
        written. Raises OutputError."""
        if self._unchanged():
            return self
        text = self.to_json()
        if text == self.written:
            return replace(self, on_disk=self._state())
        write_atomic(self.path, text)
        return replace(self, written=text, on_disk=self._state())

    def to_json(self) -> str:
        """One council a line: readable, diffable, and quick to write at every checkpoint
        (json.dumps with indent= runs the pure-Python encoder: 70 ms for 340 councils;
        compact entries use the C one)."""
        councils = {slug: self._line(slug, self.councils[slug]) for slug in sorted(self.councils)}
        engine = {key: json.dumps(value) for key, value in self.engine.items()}
        combined = self.combined.to_json() if self.combined else "null"
        return (
            "{\n"
            f' "format": {FORMAT_VERSION},\n'
            f' "year": {self.year},\n'
            f' "engine": {_one_item_a_line(engine)},\n'
            f' "councils": {_one_item_a_line(councils)},\n'
            f' "combined": {combined}\n'
            "}\n"
        )


class Checkpoints:
    """The latest manifest of a build in progress, written to disk every CHECKPOINT_SECONDS
    as the build records letters, so that a build killed outright loses little. The build
    writes `latest` once more when it ends, however it ends."""

    def __init__(self, manifest: Manifest) -> None:
        self.latest = manifest
        self._written_at = time.monotonic()

    def record(self, manifest: Manifest) -> None:
        self.latest = manifest
        if time.monotonic() - self._written_at > CHECKPOINT_SECONDS:
            # A checkpoint that cannot be written is no reason to stop: the final write
            # reports it if it still fails.
            with contextlib.suppress(OutputError):
                self.latest = manifest.write()
            self._written_at = time.monotonic()


def _parse(text: str, year: int) -> _Content:
    """The manifest's content, or DamagedManifest (or JSONDecodeError) saying what is wrong."""
    data: Any = json.loads(text)
    if not isinstance(data, dict):
        raise DamagedManifest("it is not a JSON object")
    if data.get("format") != FORMAT_VERSION or data.get("year") != year:
        raise DamagedManifest(f"it is not a format-{FORMAT_VERSION} manifest of {year}")
    if not isinstance(data.get("engine"), dict):
        data["engine"] = {}  # only ever compared: a missing one costs nothing
    try:
        return _Content.model_validate(data)
    except ValidationError as error:
        raise DamagedManifest(_first_error(error)) from None


def _one_item_a_line(items: Mapping[str, str]) -> str:
    """A JSON object of already-encoded values, one a line."""
    if not items:
        return "{}"
    lines = ",\n".join(f"  {json.dumps(key)}: {value}" for key, value in items.items())
    return f"{{\n{lines}\n }}"
