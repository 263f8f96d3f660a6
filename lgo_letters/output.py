"""Writing output files so that a reader never sees a half-written one.

Every write goes to a temporary file beside the target and is renamed into place, so a
letter already on disk is either replaced whole or left exactly as it was. A write that
fails (read-only folder, full disk, a file where a folder should be) raises OutputError
with a message for the person, and leaves no temporary file behind.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from lgo_letters.errors import OutputError

_REASONS = {
    errno.EACCES: "permission denied: the folder is read-only for you",
    errno.EPERM: "permission denied: the folder is read-only for you",
    errno.EROFS: "the folder is on a read-only file system",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file is larger than the system allows (is the disk full or limited?)",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.EEXIST: "part of the path is a file, not a folder",
    errno.EISDIR: "a folder stands where the file should be",
}


# Faults of the folder or the disk, not of one file: every further write would fail too.
_WHOLE_FOLDER = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EFBIG,
    errno.ENOTDIR,
    errno.EEXIST,
}


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Letters are public documents: they get the permissions any new file gets (mkstemp's
# temporary files are private to their owner).
_FILE_MODE = 0o666 & ~_umask()


def output_error(path: Path, error: OSError) -> OutputError:
    reason = _REASONS.get(error.errno or 0, error.strerror or str(error))
    return OutputError(f"cannot write {path}: {reason}", error.errno in _WHOLE_FOLDER)


def ensure_output_folder(folder: Path) -> None:
    """Create `folder` and prove a file can be written in it, before any letter is made."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-check.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise output_error(folder, error) from None


def write_atomic(path: Path, data: bytes | str, durable: bool = True) -> None:
    """Write to a temporary file in the same folder, then rename it into place.

    The rename alone means no reader and no interrupted process ever leaves a partial file.
    `durable` also flushes the data to disk first (a few ms a file), against power loss;
    a build skips that for letters, whose sha256 in its manifest catches a damaged file.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise output_error(path, error) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), _FILE_MODE)
            handle.write(payload)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise output_error(path, error) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
