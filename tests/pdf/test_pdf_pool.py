"""The PDF pool on its own: letters out as PDFs; the letters in flight when a worker dies
retried each alone in a fresh worker, and only a letter that kills its worker when alone
charged for it: tried once more, then failed.

A letter here holds its worker for as long as the test wants: its image is a FIFO, which
WeasyPrint's open blocks on until the test opens the other end. The test then knows which
process is rendering the letter (the one holding the FIFO) and can kill it, or let it go.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pypdf
import pytest

from lgo_letters.layout.jobs import PdfFailed, PdfJob, PdfWritten
from lgo_letters.layout.pool import ATTEMPTS, PdfPool
from lgo_letters.layout.step import pdf_failure

DIED = f"the worker process rendering this letter died ({ATTEMPTS} times)"

# Slow: each generation of the pool starts a worker process that loads WeasyPrint.
pytestmark = pytest.mark.slow

LETTER = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<title>{title}</title></head><body><p>{title}</p>{image}</body></html>"""


def job(folder: Path, slug: str, image: str = "") -> PdfJob:
    html = LETTER.format(title=f"Letter for {slug}", image=image)
    return PdfJob(slug, html, folder / f"{slug}.pdf", input_hash="0" * 64)


def holders(fifo: Path) -> list[int]:
    """The process ids, other than this one, that have `fifo` open now."""
    found = []
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            pid = int(fd.parts[2])
            if pid != os.getpid() and os.readlink(fd) == str(fifo):
                found.append(pid)
        except OSError:
            continue
    return found


def holder_of(fifo: Path, deadline: float) -> int:
    """The process id, other than this one, that has `fifo` open (the worker rendering
    the held letter)."""
    while time.monotonic() < deadline:
        if found := holders(fifo):
            return found[0]
        time.sleep(0.01)
    raise AssertionError(f"no process opened {fifo}")


def gone_from(fifo: Path, pid: int, deadline: float) -> None:
    """Wait until the killed process `pid` no longer counts as a reader of `fifo`: until it
    has exited (a zombie, or reaped). Its /proc fd list empties earlier, while the kernel
    is still releasing its files: an open of the FIFO's other end then still succeeds."""
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):  # reaped
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} still has {fifo} open")


def open_other_end(fifo: Path, deadline: float) -> int:
    """Our end of the FIFO, once a worker has opened it to read (till then this fails)."""
    while time.monotonic() < deadline:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            if error.errno != errno.ENXIO:
                raise
        time.sleep(0.01)
    raise AssertionError(f"no worker opened {fifo}")


def kill_every_holder(fifo: Path, rendering: Rendering, deadline: float) -> int:
    """Kill each worker that opens `fifo` until the pool has finished; returns how many.

    This process holds the FIFO open for reading and writing throughout: a worker's open
    then returns at once and its read waits (no data, a writer) until it is killed. Whether
    some other process still has the FIFO open is not a sign of a worker: a killed one
    may count as a reader for a while after it has exited, so workers are found in /proc."""
    killed = 0
    end = os.open(fifo, os.O_RDWR)
    try:
        while not rendering.done():
            assert time.monotonic() < deadline, "the pool did not finish"
            found = holders(fifo)
            if not found:
                time.sleep(0.01)  # no worker has it open yet: look again
                continue
            os.kill(found[0], signal.SIGKILL)
            gone_from(fifo, found[0], deadline)  # not found again while it dies
            killed += 1
    finally:
        os.close(end)
    return killed


class Rendering:
    """The pool's outcomes, collected by a background thread while the test acts."""

    def __init__(self, pool: PdfPool, jobs: list[PdfJob]):
        self.outcomes: dict[str, PdfWritten | PdfFailed] = {}
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(pool, jobs), daemon=True)
        self._thread.start()

    def _run(self, pool: PdfPool, jobs: list[PdfJob]) -> None:
        try:
            for done, outcome in pool.render(jobs):
                self.outcomes[done.slug] = outcome
        except BaseException as error:
            self.error = error

    def done(self) -> bool:
        return not self._thread.is_alive()

    def finish(self) -> dict[str, PdfWritten | PdfFailed]:
        self._thread.join(120)
        assert not self._thread.is_alive(), "the pool did not finish"
        if self.error is not None:
            raise self.error
        return self.outcomes


@pytest.fixture
def held_letter(tmp_path: Path) -> Iterator[tuple[Path, PdfJob]]:
    """The FIFO and the letter it holds. Afterwards, whatever happened, any worker still
    waiting on the FIFO is let go and the FIFO removed, so no worker is left blocked."""
    # The image's URL is relative: it resolves in the pool's templates folder (tmp_path).
    fifo = tmp_path / "held.png"
    os.mkfifo(fifo)
    yield fifo, job(tmp_path, "held", image='<img src="held.png" alt="">')
    # Opened read-write, a FIFO never blocks and has a writer: a worker waiting to open it
    # goes on, then reads end-of-file once it is closed; after the unlink none can wait.
    end = os.open(fifo, os.O_RDWR)
    fifo.unlink()
    os.close(end)


def test_letters_come_out_as_pdfs(tmp_path: Path) -> None:
    jobs = [job(tmp_path, slug) for slug in ("ashfield", "dacorum", "harborough")]
    outcomes = dict((done.slug, outcome) for done, outcome in PdfPool(2, tmp_path).render(jobs))
    assert set(outcomes) == {"ashfield", "dacorum", "harborough"}
    for slug, outcome in outcomes.items():
        assert isinstance(outcome, PdfWritten), outcome
        # A worker writes a temporary file beside the target; the build renames it.
        assert outcome.temporary.parent == tmp_path
        assert not (tmp_path / f"{slug}.pdf").exists()
        reader = pypdf.PdfReader(outcome.temporary)
        assert len(reader.pages) == outcome.pages == 1
        assert f"Letter for {slug}" in reader.pages[0].extract_text()


def test_a_letter_whose_worker_dies_is_retried_in_a_fresh_one(
    tmp_path: Path, held_letter: tuple[Path, PdfJob]
) -> None:
    fifo, held = held_letter
    pool = PdfPool(1, tmp_path)
    rendering = Rendering(pool, [held, job(tmp_path, "after")])
    deadline = time.monotonic() + 120

    first = open_other_end(fifo, deadline)
    worker = holder_of(fifo, deadline)
    os.kill(worker, signal.SIGKILL)
    os.close(first)
    gone_from(fifo, worker, deadline)  # SIGKILL is not instant: it may hold the FIFO a moment
    # The retry, in a new worker: this time the image arrives (empty: WeasyPrint leaves it
    # out and carries on).
    second = open_other_end(fifo, deadline)
    assert holder_of(fifo, deadline) != worker
    os.close(second)

    outcomes = rendering.finish()
    assert isinstance(outcomes["held"], PdfWritten), outcomes["held"]
    assert isinstance(outcomes["after"], PdfWritten), outcomes["after"]
    assert outcomes["held"].temporary.read_bytes().startswith(b"%PDF-")
    assert pool.workers_lost == 1


def test_a_letter_whose_worker_dies_every_time_fails(
    tmp_path: Path, held_letter: tuple[Path, PdfJob]
) -> None:
    fifo, held = held_letter
    pool = PdfPool(1, tmp_path)
    rendering = Rendering(pool, [held])
    deadline = time.monotonic() + 120

    for _ in range(ATTEMPTS):
        end = open_other_end(fifo, deadline)
        worker = holder_of(fifo, deadline)
        os.kill(worker, signal.SIGKILL)
        os.close(end)
        # Until the killed worker has let go of the FIFO, our next open would find it, not
        # the fresh worker, and the fresh one would wait for a writer for good.
        gone_from(fifo, worker, deadline)

    outcomes = rendering.finish()
    assert outcomes["held"] == PdfFailed(
        pdf_failure(
            "held", Path(), f"the worker process rendering this letter died ({ATTEMPTS} times)"
        )
    )
    assert not (tmp_path / "held.pdf").exists()
    assert pool.workers_lost == ATTEMPTS


def test_only_the_letter_that_kills_its_worker_fails_not_those_beside_it(
    tmp_path: Path, held_letter: tuple[Path, PdfJob]
) -> None:
    # One worker, the poisoned letter in it and an innocent one queued behind: every death
    # of the worker broke both. The innocent letter must come out, the poisoned one fail.
    fifo, held = held_letter
    pool = PdfPool(1, tmp_path)
    rendering = Rendering(pool, [held, job(tmp_path, "innocent"), job(tmp_path, "after")])

    killed = kill_every_holder(fifo, rendering, time.monotonic() + 120)

    outcomes = rendering.finish()
    assert isinstance(outcomes["innocent"], PdfWritten), outcomes["innocent"]
    assert isinstance(outcomes["after"], PdfWritten), outcomes["after"]
    assert outcomes["held"] == PdfFailed(
        pdf_failure(
            "held", Path(), f"the worker process rendering this letter died ({ATTEMPTS} times)"
        )
    )
    # Once beside the innocent letter (charged to neither), then ATTEMPTS times alone.
    assert killed == pool.workers_lost == ATTEMPTS + 1
    assert pool.letters_retried == 2  # held and innocent, each retried alone


def test_a_build_leaves_nothing_in_the_temporary_folder(new_project: Callable[..., Path]) -> None:
    """WeasyPrint copies the fonts into a temporary folder and removes it only when its
    font configuration is collected, which a worker ending with os._exit never does: each
    build left a folder of fonts in /tmp for each worker."""
    project = new_project("project")
    # Short: the build's fork server puts its socket there, and a socket's path is short.
    scratch = Path(tempfile.mkdtemp(prefix="lgo-"))
    try:
        built = subprocess.run(
            [sys.executable, "-m", "lgo_letters", "build", "2021", "--only", "dartford"],
            cwd=project,
            env={**os.environ, "TMPDIR": str(scratch)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert built.returncode == 0, built.stderr
        assert (project / "output" / "2021" / "dartford.pdf").is_file()
        assert sorted(p.name for p in scratch.iterdir()) == []
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
