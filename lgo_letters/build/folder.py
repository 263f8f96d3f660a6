"""The year's output folder before a build writes in it: can it be written, one build at a
time, and no temporary file left by a build that was killed mid-write."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lgo_letters.errors import OutputError, UsageError
from lgo_letters.output import ensure_output_folder, is_own_temporary


@dataclass(frozen=True)
class FolderState:
    refusal: OutputError | None  # why nothing can be written in it; None when it can be
    readable: bool  # its letters can be read (and found current) even when it refuses writes


def check_output_folder(out_dir: Path) -> FolderState:
    """Create the folder and prove it can be written. A folder that cannot be written may
    still hold every letter, current: a build that has nothing to write then succeeds."""
    try:
        ensure_output_folder(out_dir)
    except OutputError as error:
        readable = out_dir.is_dir() and os.access(out_dir, os.R_OK | os.X_OK)
        return FolderState(error, readable)
    return FolderState(None, True)


@contextlib.contextmanager
def build_lock(out_dir: Path, year: int) -> Iterator[None]:
    """One build of a year at a time in one output folder (a lock on the folder itself,
    so no lock file is left in it)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    folder = os.open(out_dir, os.O_RDONLY)
    try:
        try:
            fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"another build of {year} is writing to {out_dir}") from None
        yield
    finally:
        os.close(folder)


def remove_leftover_temporaries(out_dir: Path) -> None:
    """Temporary files of a build that was killed mid-write (see output.write_temporary);
    only files named as this program names them, never anyone else's hidden files."""
    for leftover in out_dir.glob(".*.tmp"):
        if is_own_temporary(leftover):
            leftover.unlink(missing_ok=True)
