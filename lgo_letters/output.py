"""Writing output files so that a reader never sees a half-written one.

Every write goes to a temporary file beside the target and is renamed into place, so a
letter already on disk is either replaced whole or left exactly as it was. A write that
fails (read-only folder, full disk, a file where a folder should be) raises OutputError
with a message for the person, and leaves no temporary file behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from lgo_letters.errors import OutputError, UsageError

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


def _broken_link(folder: Path) -> str | None:
    """Why `folder` is a symbolic link that leads nowhere, or None."""
    if not folder.is_symlink():
        return None
    try:
        folder.stat()
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "it is a symbolic link that loops back on itself"
        return f"it is a symbolic link to {os.readlink(folder)}, which does not exist"
    return None


def ensure_output_folder(folder: Path) -> None:
    """Create `folder` and prove a file can be written in it, before any letter is made."""
    for part in (folder, *folder.parents):
        reason = _broken_link(part)
        if reason is not None:
            raise OutputError(f"cannot write {folder}: {part} is not a folder: {reason}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-check.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise output_error(folder, error) from None


# The tool's own temporary files, and only those: `.<target>.lgo-letters-<8 random>.tmp`
# (mkstemp's random part), so a build never mistakes someone else's hidden file for one.
_TEMPORARY_MARK = ".lgo-letters-"
_OWN_TEMPORARY = re.compile(r"\..+\.lgo-letters-[a-z0-9_]{8}\.tmp")


def is_own_temporary(file: Path) -> bool:
    """Whether `file` is a regular file named as write_temporary names its files."""
    if not _OWN_TEMPORARY.fullmatch(file.name):
        return False
    try:
        return stat.S_ISREG(file.lstat().st_mode)
    except OSError:
        return False


def write_temporary(path: Path, data: bytes | str, durable: bool = True) -> Path:
    """Write `data` to a new temporary file beside `path`; commit() puts it in place.

    `durable` also flushes the data to disk (a few ms a file), against power loss; a build
    skips that for letters, whose sha256 in its manifest catches a damaged file.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(
            prefix=f".{path.name}{_TEMPORARY_MARK}", suffix=".tmp", dir=path.parent
        )
    except OSError as error:
        raise output_error(path, error) from None
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), _FILE_MODE)
            handle.write(payload)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise output_error(path, error) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def commit(temporary: Path, path: Path) -> None:
    """Rename a file made by write_temporary into place (it is gone either way)."""
    try:
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise output_error(path, error) from None


def discard(temporary: Path) -> None:
    temporary.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes | str, durable: bool = True) -> None:
    """Write to a temporary file in the same folder, then rename it into place.

    The rename alone means no reader and no interrupted process ever leaves a partial file.
    """
    commit(write_temporary(path, data, durable), path)


# How often a writer that waits for a folder's lock for a while tries again.
_LOCK_POLL_SECONDS = 0.05


def _wait_for_lock(descriptor: int, busy: str, timeout: float) -> None:
    import fcntl

    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise UsageError(busy) from None
            time.sleep(_LOCK_POLL_SECONDS)


@contextlib.contextmanager
def folder_lock(
    folder: Path,
    busy: str,
    waiting: Callable[[], None] | None = None,
    timeout: float | None = None,
) -> Iterator[None]:
    """One writer at a time in `folder` (a build in its output folder; a send, an approve or
    a publish in its year's data folder): a lock on the folder itself, so no lock file is
    left in it. Another holder makes it a UsageError saying `busy`; or, given `waiting`, that
    is called (to say so) and the lock is waited for: for ever, or for `timeout` seconds
    (then the UsageError)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is None:
                raise UsageError(busy) from None
            waiting()
            if timeout is None:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            else:
                _wait_for_lock(descriptor, busy, timeout)
        yield
    finally:
        os.close(descriptor)


def staging_folder(parent: Path, prefix: str) -> Path:
    """A new empty folder in `parent`, to fill and then rename into place whole, with the
    permissions any new folder gets (mkdtemp's are private to their owner)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    folder.chmod(0o777 & ~_umask())
    return folder
