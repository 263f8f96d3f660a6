"""output/<year>/manifest.json: what each letter was built from and what was written.

For each council: the input hash of its letter, and each output file with its sha256,
size, the input hash it was built from and (for a PDF) its page count. The manifest only
ever names files that were completely written, so it is written after them: at the end of
a build, and at checkpoints during it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lgo_letters.build.inputs import file_sha256
from lgo_letters.output import write_atomic

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
_SHA256 = re.compile(r"[0-9a-f]{64}")


class DamagedManifest(ValueError):
    """The manifest is there but is not one this program wrote: treated as absent."""


def _check_entry(slug: object, entry: object) -> None:
    """An entry as record() makes them, or DamagedManifest saying what is wrong."""
    if not isinstance(slug, str) or not isinstance(entry, dict):
        raise DamagedManifest(f"the entry for {slug!r} is not a mapping")
    files = entry.get("files")
    if not isinstance(entry.get("name"), str) or not isinstance(files, dict):
        raise DamagedManifest(f"the entry for {slug!r} has no name or no files mapping")
    for name, facts in files.items():
        if (
            not isinstance(facts, dict)
            or not isinstance(facts.get("sha256"), str)
            or not _SHA256.fullmatch(facts["sha256"])
            or not isinstance(facts.get("input"), str)
        ):
            raise DamagedManifest(f"the entry for {slug!r} file {name!r} is not a built file")


@dataclass
class Manifest:
    path: Path
    year: int
    councils: dict[str, dict[str, Any]] = field(default_factory=dict)
    combined: dict[str, Any] | None = None
    engine: dict[str, str] = field(default_factory=dict)
    damage: str = ""  # why the manifest on disk was not used, when it was there but damaged
    written: str = ""  # the text on disk, so that an unchanged manifest is not rewritten

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
            data = json.loads(text)
            if not isinstance(data, dict):
                raise DamagedManifest("it is not a JSON object")
            if data.get("format") != FORMAT_VERSION or data.get("year") != year:
                raise DamagedManifest(f"it is not a format-{FORMAT_VERSION} manifest of {year}")
            councils = data.get("councils")
            if not isinstance(councils, dict):
                raise DamagedManifest("it has no councils mapping")
            for slug, entry in councils.items():
                _check_entry(slug, entry)
            combined = data.get("combined")
            if combined is not None and not isinstance(combined, dict):
                raise DamagedManifest("its combined entry is not a mapping")
            engine = data.get("engine") if isinstance(data.get("engine"), dict) else {}
        except ValueError as error:  # JSONDecodeError and DamagedManifest
            return cls(path, year, damage=f"{path} is damaged: {error}")
        return cls(path, year, dict(councils), combined, dict(engine), written=text)

    def up_to_date(self, slug: str, file: Path, input_hash: str) -> bool:
        """Whether `file` on disk is the one this manifest says was built from `input_hash`."""
        entry = self.councils.get(slug, {}).get("files", {}).get(file.name)
        return (
            entry is not None
            and entry.get("input") == input_hash
            and file_sha256(file) == entry.get("sha256")
        )

    def record(self, slug: str, name: str, input_hash: str, file: Path, **facts: Any) -> None:
        entry = self.councils.setdefault(slug, {"name": name, "files": {}})
        entry["name"] = name
        entry["input"] = input_hash
        entry["files"][file.name] = {"input": input_hash, **facts}

    def files_of(self, slug: str) -> list[str]:
        return sorted(self.councils.get(slug, {}).get("files", {}))

    def sha256_of(self, slug: str, name: str) -> str | None:
        """The sha256 the manifest recorded for `slug`'s file `name`."""
        return self.councils.get(slug, {}).get("files", {}).get(name, {}).get("sha256")

    def forget(self, slug: str) -> None:
        self.councils.pop(slug, None)

    def write(self) -> None:
        """Write the manifest, unless the one on disk already says the same."""
        text = self.to_json()
        if text != self.written:
            write_atomic(self.path, text)
            self.written = text

    def to_json(self) -> str:
        """One council a line: readable, diffable, and quick to write at every checkpoint
        (json.dumps with indent= runs the pure-Python encoder: 70 ms for 340 councils;
        compact entries use the C one)."""
        return (
            "{\n"
            f' "format": {FORMAT_VERSION},\n'
            f' "year": {self.year},\n'
            f' "engine": {_one_item_a_line(self.engine)},\n'
            f' "councils": {_one_item_a_line(dict(sorted(self.councils.items())))},\n'
            f' "combined": {json.dumps(self.combined)}\n'
            "}\n"
        )


def _one_item_a_line(mapping: dict[str, Any]) -> str:
    if not mapping:
        return "{}"
    items = ",\n".join(
        f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in mapping.items()
    )
    return f"{{\n{items}\n }}"
