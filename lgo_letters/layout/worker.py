"""The worker side of a build: lay out one letter's HTML as a PDF and write it.

Each worker process makes one PdfRenderer (font configuration + parsed font CSS) when it
starts and reuses it for every letter it is given.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing.util
import os
import select
import signal
import threading
import time
from pathlib import Path

from lgo_letters.errors import LetterFailure, OutputError
from lgo_letters.hashing import sha256_bytes
from lgo_letters.layout.jobs import PdfFailed, PdfJob, PdfWritten, output_failure
from lgo_letters.layout.step import render_letter_pdf
from lgo_letters.output import write_temporary
from lgo_letters.renderer.pdf import PdfRenderer

_renderer: PdfRenderer | None = None


class _DropSubsetterFallback(logging.Filter):
    """The build warns once that libharfbuzz-subset is missing; WeasyPrint would per font."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "instead of HarfBuzz-Subset" not in record.getMessage()


def die_with_build(build_pid: int) -> None:
    """End this worker the moment the build process `build_pid` ends, however it ends.

    A worker's parent is the fork server, not the build, and the two keep each other
    alive: every worker holds the fork server's "alive" pipe, and the fork server exits only
    when no process holds it. A build killed by SIGKILL or SIGHUP therefore left the fork
    server and its workers (225 MB) running for good, holding the build's stdout, and a
    worker laying out a letter would still write it. So each worker watches the build itself.
    """
    try:
        watched = os.pidfd_open(build_pid)
    except ProcessLookupError:  # the build is already gone
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd (not Linux, or Linux before 5.3): poll
        watched = None

    def watch() -> None:
        if watched is not None:
            select.select([watched], [], [])  # readable once the process has ended
        else:
            while _alive(build_pid):
                time.sleep(1.0)
        if _renderer is not None:
            remove_font_folder(_renderer)
        os._exit(1)

    threading.Thread(target=watch, name="lgo-letters-build-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_font_folder(renderer: PdfRenderer) -> None:
    """Remove the temporary folder WeasyPrint copied the letter's fonts into for `renderer`.

    WeasyPrint removes it when the font configuration is collected: never, in a process
    that ends with os._exit, as a worker does (each build left a folder in /tmp per worker).
    """
    renderer.font_config.__del__()  # WeasyPrint's own clean-up; harmless when run again


def init_worker(templates_dir: Path, build_pid: int) -> None:
    """Set up this process to render letters for the build `build_pid`: one renderer, kept
    for its whole life."""
    global _renderer
    # Ctrl-C reaches the whole process group: the build decides how to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_build(build_pid)
    logging.getLogger("weasyprint").addFilter(_DropSubsetterFallback())
    _renderer = PdfRenderer(templates_dir)
    # A worker ends with os._exit, which runs multiprocessing's finalizers only.
    multiprocessing.util.Finalize(None, remove_font_folder, args=(_renderer,), exitpriority=10)
    # What WeasyPrint has loaded lives as long as the worker: the cycle collector need never
    # scan it again. Measured: collections take 6 ms a letter instead of 11, and memory is
    # as flat as before (raising the collection thresholds too saved no more time and let
    # 30 MB of garbage wait between collections).
    gc.freeze()


def render_pdf(job: PdfJob) -> PdfWritten | PdfFailed:
    """Lay out one letter's PDF (the one PDF step, lgo_letters.layout.step) and write it
    atomically; a failure is returned, not raised."""
    if _renderer is None:
        raise RuntimeError("init_worker() was not called in this process")
    started = time.perf_counter()
    made = render_letter_pdf(_renderer, job.slug, job.record_file, job.html, job.stylesheet)
    if isinstance(made, LetterFailure):
        return PdfFailed(made)
    try:
        temporary = write_temporary(job.target, made.pdf, durable=False)
    except OutputError as error:
        return PdfFailed(output_failure(job.slug, job.target, error), error.whole_folder)
    return PdfWritten(
        temporary=temporary,
        sha256=sha256_bytes(made.pdf),
        size=len(made.pdf),
        pages=made.pages,
        seconds=time.perf_counter() - started,
    )
