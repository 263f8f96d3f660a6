"""output/<year>/manifest.json: what each letter was built from and what was written.

For each council: the input hash of its letter, and each output file with its sha256,
size, the input hash it was built from and (for a PDF) its page count. The manifest only
ever names files that were completely written, so it is written after them: at the end of
a build, and at checkpoints during it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lgo_letters.build.inputs import file_sha256
from lgo_letters.output import write_atomic

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


@dataclass
class Manifest:
    path: Path
    year: int
    councils: dict[str, dict[str, Any]] = field(default_factory=dict)
    combined: dict[str, Any] | None = None
    engine: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, out_dir: Path, year: int) -> Manifest:
        """The manifest in out_dir; empty when there is none or it cannot be read."""
        path = out_dir / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT_VERSION or data.get("year") != year:
                raise ValueError("another manifest format")
            return cls(path, year, dict(data["councils"]), data.get("combined"))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls(path, year)

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

    def forget(self, slug: str) -> None:
        self.councils.pop(slug, None)

    def write(self) -> None:
        write_atomic(self.path, self.to_json())

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
