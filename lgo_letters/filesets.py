"""Several files written as one step: after a crash, all of them new or all of them old.

`write_together` writes every new file beside its original (a temporary file, see
lgo_letters.output), flushes them to disk, and then commits: a journal naming each
temporary file and its target is written (atomically, and flushed), the temporary files are
renamed into place, and the journal is removed. The journal is the point of no return:

- interrupted before it exists (Ctrl-C, SIGKILL, a full disk while writing), no original
  was touched; the temporary files left behind are removed: **rolled back**;
- interrupted after, every original is replaced by the next run: **finished**.

`recover` does either, for the next run, and says which. SIGINT and SIGTERM are held off
while the journal is written and the files renamed (a few milliseconds), and acted on once
the step is whole.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from lgo_letters.errors import InputError, Problem
from lgo_letters.output import (
    commit,
    discard,
    is_own_temporary,
    output_error,
    write_atomic,
    write_temporary,
)

JOURNAL = ".lgo-letters-journal.json"


@dataclass(frozen=True)
class Recovered:
    """What `recover` did: `finished` files put in place from a journal, or `rolled_back`
    temporary files removed (their originals were never touched)."""

    finished: tuple[Path, ...] = ()
    rolled_back: tuple[Path, ...] = ()
    what: str = ""  # the journal's description of the interrupted step

    def __bool__(self) -> bool:
        return bool(self.finished or self.rolled_back)


@dataclass(frozen=True)
class Written:
    """The outcome of `write_together`: every file is in place; `signal` is the number of
    a stop signal that came while they were committed (and was held off until then)."""

    files: tuple[Path, ...]
    signal: int | None = None


@contextlib.contextmanager
def _signals_held() -> Iterator[list[int]]:
    """SIGINT and SIGTERM are noted, not acted on, inside the block; the list says which
    came. (Only the main thread can set handlers: elsewhere nothing is held.)"""
    caught: list[int] = []
    stops = (signal.SIGINT, signal.SIGTERM)
    try:
        previous = {
            s: signal.signal(s, lambda number, _frame: caught.append(number)) for s in stops
        }
    except ValueError:  # not the main thread
        yield caught
        return
    try:
        yield caught
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _sync_folders(folders: set[Path]) -> None:
    """Flush the folders' entries (the renames) to disk."""
    for folder in folders:
        with contextlib.suppress(OSError):
            descriptor = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)


def write_together(files: Mapping[Path, str | bytes], journal_dir: Path, what: str) -> Written:
    """Write every file of `files` (path → content) as one step, journalled in
    `journal_dir` (which must hold no other step's journal: see `recover`). `what` says in
    the journal what the step is, for the message of a later recovery.

    Raises OutputError (nothing changed) when a file cannot be written; KeyboardInterrupt
    before the commit leaves nothing changed either."""
    temporaries: dict[Path, Path] = {}
    try:
        for path, content in files.items():
            temporaries[path] = write_temporary(path, content, durable=False)
        os.sync()  # every new file on disk before any original is replaced
    except BaseException:
        for temporary in temporaries.values():
            discard(temporary)
        raise
    journal = journal_dir / JOURNAL
    entries = [
        {"target": str(path), "temporary": str(temporary)}
        for path, temporary in temporaries.items()
    ]
    with _signals_held() as caught:
        try:
            write_atomic(journal, json.dumps({"what": what, "files": entries}, indent=1))
        except BaseException:
            for temporary in temporaries.values():
                discard(temporary)
            raise
        # From here on the step is decided: a failure part way is finished by `recover`.
        for path, temporary in temporaries.items():
            commit(temporary, path)
        _sync_folders({path.parent for path in temporaries})
        journal.unlink()
        _sync_folders({journal_dir})
    return Written(tuple(temporaries), caught[0] if caught else None)


def _journal_problem(journal: Path, message: str) -> InputError:
    return InputError([Problem(journal, None, None, "", message)])


def recover(
    journal_dir: Path, folders: tuple[Path, ...] = (), files: tuple[Path, ...] = ()
) -> Recovered:
    """Finish or roll back a step `write_together` did not complete in `journal_dir`: with
    its journal, rename what is left into place; without, remove the temporary files the
    step leaves: of any file in `folders`, of `files`, and the journal's own. Call it with
    the writers' lock held (another writer's temporary file must not be taken for one)."""
    journal = journal_dir / JOURNAL
    if journal.exists():
        try:
            document = json.loads(journal.read_text(encoding="utf-8"))
            entries = [(Path(e["target"]), Path(e["temporary"])) for e in document["files"]]
            what = str(document.get("what", ""))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise _journal_problem(
                journal,
                f"an interrupted step's journal cannot be read ({error}): restore the "
                "data folder from git, then remove this file",
            ) from None
        for target, temporary in entries:
            if temporary.exists():  # else renamed before the interruption
                try:
                    os.replace(temporary, target)
                except OSError as error:
                    raise output_error(target, error) from None
        _sync_folders({t.parent for t, _ in entries} | {journal_dir})
        journal.unlink()
        return Recovered(finished=tuple(t for t, _ in entries), what=what)
    prefixes = tuple(f".{name}." for name in (JOURNAL, *(f.name for f in files)))
    left = [
        file
        for folder in {*folders, journal_dir, *(f.parent for f in files)}
        if folder.is_dir()
        for file in folder.iterdir()
        if is_own_temporary(file) and (folder in folders or file.name.startswith(prefixes))
    ]
    for file in left:
        discard(file)
    return Recovered(rolled_back=tuple(sorted(left)))


def pending(journal_dir: Path) -> Path | None:
    """The journal of an interrupted step in `journal_dir`, if there is one."""
    journal = journal_dir / JOURNAL
    return journal if journal.exists() else None
