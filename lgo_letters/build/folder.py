"""The year's output folder before a build writes in it: can it be written, and no
temporary file left by a build that was killed mid-write. (One build at a time:
output.folder_lock.)"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lgo_letters.errors import OutputError
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


def remove_leftover_temporaries(out_dir: Path) -> None:
    """Temporary files of a build that was killed mid-write (see output.write_temporary);
    only files named as this program names them, never anyone else's hidden files."""
    for leftover in out_dir.glob(".*.tmp"):
        if is_own_temporary(leftover):
            leftover.unlink(missing_ok=True)
