"""The publication folder's own record: which of its files `publish` wrote.

`publish YEAR --to DIR` writes into DIR/<year>/, a folder the website's editors share with
it, and keeps there a record of what it wrote, `.lgo-letters-publish.json`: each file's
name and sha256 as written. A file of the folder is publish's own when the record lists it
with the sha256 it has on disk; any other file (the site's own index.html, a letter the
editors replaced by hand) is never replaced.

The record also makes a publish that was stopped part way (Ctrl-C, SIGKILL, a power cut)
visible: before the first file is written it lists the new files (`writing`) beside those
already there (`files`); once every file is written it lists them as `files` alone. Each
file is renamed into place whole, so after a stop every file is either as it was or new,
and the next run finds `writing` still there and says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lgo_letters.errors import InputError, Problem
from lgo_letters.hashing import file_sha256
from lgo_letters.output import write_atomic

RECORD = ".lgo-letters-publish.json"
GENERATOR: Final = "lgo-letters publish"

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
FileName = Annotated[str, Field(pattern=r"^[^/\\]+$")]


class FolderRecord(BaseModel):
    """DIR/<year>/.lgo-letters-publish.json."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    generator: Literal["lgo-letters publish"] = GENERATOR
    year: int
    # The files publish wrote and left in the folder: name → sha256.
    files: dict[FileName, Sha256] = {}
    # While a publish runs (and after one was stopped): the files it is writing.
    writing: dict[FileName, Sha256] | None = None

    def own_sha256s(self, name: str) -> set[str]:
        """The contents `name` may have and still be publish's own file."""
        return {s for s in (self.files.get(name), (self.writing or {}).get(name)) if s}


def load_record(folder: Path, year: int) -> FolderRecord | None:
    """The folder's record, or None when publish never wrote there; InputError, located,
    when the file is damaged (publish cannot tell its files from others')."""
    file = folder / RECORD
    try:
        text = file.read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError([Problem(file, None, None, "", f"cannot be read: {error}")]) from None
    try:
        record = FolderRecord.model_validate_json(text)
    except ValidationError as error:
        problems = [
            Problem(
                file,
                None,
                None,
                ".".join(map(str, e["loc"])),
                f"{e['msg']}: not lgo-letters' record of this folder; put it back from a "
                "copy, or move the folder's files away and publish again",
            )
            for e in error.errors()
        ]
        raise InputError(problems) from None
    if record.year != year:
        raise InputError(
            [Problem(file, None, None, "year", f"records a bundle of {record.year}, not {year}")]
        )
    return record


def write_record(folder: Path, record: FolderRecord) -> None:
    text = json.dumps(record.model_dump(), indent=1, sort_keys=True, ensure_ascii=False)
    write_atomic(folder / RECORD, text + "\n")


@dataclass(frozen=True)
class Found:
    """The folder as a publish finds it, for the files it is about to write."""

    # publish's own files there now, as they are: name → sha256 (those it wrote and
    # nobody changed since)
    own: dict[str, str]
    # files it would replace and must not: name → why
    foreign: dict[str, str]
    # the last publish stopped part way: how many of its files it had written, of how many
    stopped: tuple[int, int] | None


def survey(folder: Path, record: FolderRecord | None, names: list[str]) -> Found:
    """Which files of `folder` are publish's own (every file its record lists, and still
    as written), and which of `names` (the files about to be written) are not."""
    own: dict[str, str] = {}
    foreign: dict[str, str] = {}
    listed = set(record.files) | set(record.writing or {}) if record else set()
    for name in sorted(listed | set(names)):
        path = folder / name
        if not path.exists() and not path.is_symlink():
            continue
        sha256 = file_sha256(path) if path.is_file() and not path.is_symlink() else None
        if record is not None and sha256 is not None and sha256 in record.own_sha256s(name):
            own[name] = sha256
        elif name in names:
            foreign[name] = (
                "changed since lgo-letters published it"
                if name in listed
                else "not written by lgo-letters publish"
            )
    stopped = None
    if record is not None and record.writing is not None:
        new = sum(1 for name, sha256 in record.writing.items() if own.get(name) == sha256)
        stopped = (new, len(record.writing))
    return Found(own, foreign, stopped)
