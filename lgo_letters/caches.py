"""What earlier runs learned, kept in <out>/.cache/<year>/ so that a whole-year command
does not do again what it did before: valid records by their file's sha256
(records.json), each letter's HTML sha256 by what the letter is made from
(letters.json), and each output file's sha256 by its size and times (files.json).

A cache is only ever a shortcut. Each is one file, written whole to a temporary file and
renamed into place (lgo_letters.output), so two runs writing at once leave one or the
other's, and a run killed while writing leaves the previous one. Its first line says
which cache it is, the version of the code and data it is valid for, and the sha256 of
the rest: a cache of another version, a damaged one (cut short, edited by hand, not JSON)
or one that cannot be read is ignored, and the command does the work. A cache that cannot
be written costs nothing but time. Nothing in the year's output folder itself changes,
so the folder holds only the letters and their manifest.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar, cast

from lgo_letters.errors import OutputError
from lgo_letters.hashing import sha256_bytes
from lgo_letters.output import is_own_temporary, write_atomic

FORMAT = 1
# A temporary file of a cache this old was left by a run killed while writing it.
_ABANDONED_SECONDS = 600
# An output file's sha256 is taken from the cache only when the file had not changed for
# this long when it was hashed: a change after that always gives it a new change time,
# even on file systems whose clocks tick coarsely.
SETTLED_NS = 2_000_000_000


def cache_folder(out: Path, year: int) -> Path:
    """Where a year's caches live: beside its output folder, not in it."""
    return out / ".cache" / str(year)


V = TypeVar("V")


class JsonCache(Generic[V]):
    """One cache file: JSON values by text key, for one `version` of the code and data.

    `get` answers from what the file held; `put` adds or replaces an entry; `save` writes
    the file again when anything changed, keeping the entries that were read but not
    replaced unless `keep_unused` is False (then only those got or put this run remain, so
    the file never grows with entries no longer wanted). A value read that is not of the
    kind the cache holds (`holds`) is left out, as if it were not there.
    """

    def __init__(self, file: Path, name: str, version: str, keep_unused: bool = True):
        self.file = file
        self.header = {"cache": name, "format": FORMAT, "version": version}
        self.keep_unused = keep_unused
        read = _read(file, self.header)
        self.known: dict[str, V] = {k: cast(V, v) for k, v in read.items() if self.holds(v)}
        self.used: dict[str, V] = {}
        self.forgotten: set[str] = set()

    def holds(self, value: object) -> bool:
        """Whether `value`, read from the file, is of the kind this cache holds."""
        raise NotImplementedError

    def get(self, key: str) -> V | None:
        found = self.used.get(key)
        if found is not None or key in self.forgotten:
            return found
        found = self.known.get(key)
        if found is not None:
            self.used[key] = found
        return found

    def put(self, key: str, value: V) -> None:
        self.used[key] = value

    def forget(self, key: str) -> None:
        """Leave `key` out of the file from now on."""
        self.forgotten.add(key)
        self.used.pop(key, None)

    def entries(self) -> dict[str, V]:
        kept = {**self.known, **self.used} if self.keep_unused else dict(self.used)
        return {k: v for k, v in kept.items() if k not in self.forgotten or k in self.used}

    def save(self) -> None:
        """Write the cache when it changed; never raises (it is only a cache)."""
        entries = self.entries()
        if entries == self.known:
            return
        body = json.dumps(entries, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        header = json.dumps({**self.header, "sha256": sha256_bytes(body)}, sort_keys=True)
        with contextlib.suppress(OutputError, OSError):
            self.file.parent.mkdir(parents=True, exist_ok=True)
            _remove_abandoned(self.file)
            write_atomic(self.file, f"{header}\n{body}\n", durable=False)
        self.known = entries


class KeyedCache(JsonCache[str]):
    """A cache of text values."""

    def holds(self, value: object) -> bool:
        return isinstance(value, str)


def _remove_abandoned(file: Path) -> None:
    """This cache's temporary files left by runs killed while writing it (never one that
    another run may still be writing)."""
    now = time.time()
    for leftover in file.parent.glob(f".{file.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if is_own_temporary(leftover) and now - leftover.stat().st_mtime > _ABANDONED_SECONDS:
                leftover.unlink()


def _read(file: Path, header: Mapping[str, object]) -> dict[str, object]:
    """The entries of the cache file, or none when it is missing, of another version,
    damaged or unreadable."""
    try:
        text = file.read_text(encoding="utf-8")
        first, body = text.rstrip("\n").split("\n", 1)
        said = json.loads(first)
        if not isinstance(said, dict) or {**said, "sha256": None} != {**header, "sha256": None}:
            return {}
        if said.get("sha256") != sha256_bytes(body):
            return {}
        entries = json.loads(body)
    except (OSError, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return {}
    return entries if isinstance(entries, dict) else {}


@dataclass(frozen=True)
class _Seen:
    """How a file stood when it was hashed: any change to it changes one of these."""

    device: int
    inode: int
    size: int
    modified_ns: int
    changed_ns: int

    @classmethod
    def of(cls, status: os.stat_result) -> _Seen:
        return cls(
            status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns
        )

    def text(self) -> str:
        return _seen_text(self.device, self.inode, self.size, self.modified_ns, self.changed_ns)


def _seen_text(device: int, inode: int, size: int, modified_ns: int, changed_ns: int) -> str:
    return f"{device} {inode} {size} {modified_ns} {changed_ns}"


class FileDigests:
    """The sha256 of output files (letters' HTML and PDF), read again only when a file's
    size, times or inode changed since it was last hashed.

    A file's entry is kept only when the file had not changed for SETTLED_NS before it was
    hashed, so a change made in the same tick of the file system's clock as the hashing
    can never go unseen: a file just written is hashed again next time, once.
    """

    def __init__(self, cache: KeyedCache):
        self.cache = cache

    # Paths may be given as text: a whole year's 40,000 output files are looked at here, and
    # a pathlib.Path costs more to make and to pass to the system than the look-up itself.
    def sha256(self, path: Path | str) -> str | None:
        """The sha256 of the regular file at `path`; None when there is none to read."""
        try:
            status = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(status.st_mode):
            return None
        known = self._known(path, status)
        if known is not None:
            return known
        hashed_at = time.time_ns()
        try:
            digest = sha256_bytes(Path(path).read_bytes())
        except OSError:
            return None
        self.note(path, status, hashed_at, digest)
        return digest

    def known_in(self, folder: Path) -> dict[str, str]:
        """The sha256 of each file of `folder` known without reading it (a regular file whose
        device, inode, size and times are those it had when hashed), by name: in one pass
        over the folder (a year's 40,000 output files, or 20,000 records)."""
        known: dict[str, str] = {}
        try:
            entries = os.scandir(folder)
        except OSError:
            return known
        with entries:
            for entry in entries:
                recorded = self.cache.get(entry.name)
                if recorded is None:
                    continue
                try:
                    status = entry.stat()
                except OSError:
                    continue
                if stat.S_ISREG(status.st_mode):
                    digest = self._matching(entry.name, recorded, status)
                    if digest is not None:
                        known[entry.name] = digest
        return known

    def _known(self, path: Path | str, status: os.stat_result) -> str | None:
        key = _name(path)
        return self._matching(key, self.cache.get(key), status)

    def _matching(self, key: str, known: str | None, status: os.stat_result) -> str | None:
        """The digest `known` (the cache's entry for `key`) gives, when the file stands as
        it did when hashed; otherwise the entry is forgotten."""
        if known is None:
            return None
        recorded, _, digest = known.rpartition(" ")
        seen = _seen_text(
            status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns
        )
        if recorded == seen:
            return digest
        self.cache.forget(key)
        return None

    def note(self, path: Path | str, before: os.stat_result, hashed_at: int, digest: str) -> None:
        """Keep `digest`, the sha256 of the bytes read from `path` from `hashed_at` on, the
        file standing as `before` when they began to be read: only when it stands so still
        and had not changed for SETTLED_NS before the reading began."""
        seen = _Seen.of(before)
        try:
            after = _Seen.of(os.stat(path))
        except OSError:
            return
        settled = seen.changed_ns < hashed_at - SETTLED_NS
        if after == seen and stat.S_ISREG(before.st_mode) and settled:
            self.cache.put(_name(path), f"{seen.text()} {digest}")

    def save(self) -> None:
        self.cache.save()


def _name(path: Path | str) -> str:
    """The file's name: its key in a FileDigests cache."""
    return path.rpartition("/")[2] if isinstance(path, str) else path.name


def file_digests(out: Path, year: int) -> FileDigests:
    """The sha256 of the year's output files (files.json in its cache folder)."""
    return FileDigests(KeyedCache(cache_folder(out, year) / "files.json", "files", "1"))
