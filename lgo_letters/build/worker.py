"""The worker side of a build: lay out one letter's HTML as a PDF and write it.

Each worker process makes one PdfRenderer (font configuration + parsed font CSS) when it
starts and reuses it for every letter it is given.
"""

from __future__ import annotations

import gc
import logging
import os
import resource
import signal
import time
from pathlib import Path

from lgo_letters.build.inputs import sha256_bytes
from lgo_letters.build.jobs import PdfFailed, PdfJob, PdfWritten
from lgo_letters.errors import OutputError
from lgo_letters.output import write_atomic
from lgo_letters.renderer.pdf import PdfRenderer

_renderer: PdfRenderer | None = None


class _DropSubsetterFallback(logging.Filter):
    """The build warns once that libharfbuzz-subset is missing; WeasyPrint would per font."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "instead of HarfBuzz-Subset" not in record.getMessage()


def init_worker(templates_dir: Path, in_process: bool = False) -> None:
    """Set up this process to render letters: one renderer, kept for its whole life."""
    global _renderer
    if not in_process:
        # Ctrl-C reaches the whole process group: the parent decides how to stop.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.getLogger("weasyprint").addFilter(_DropSubsetterFallback())
    _renderer = PdfRenderer(templates_dir)
    # What WeasyPrint has loaded lives as long as the worker: the cycle collector need never
    # scan it again. Measured: collections take 6 ms a letter instead of 11, and memory is
    # as flat as before (raising the collection thresholds too saved no more time and let
    # 30 MB of garbage wait between collections).
    gc.freeze()


def render_pdf(job: PdfJob) -> PdfWritten | PdfFailed:
    """Render and atomically write one letter's PDF; a failure is returned, not raised."""
    if _renderer is None:
        raise RuntimeError("init_worker() was not called in this process")
    started = time.perf_counter()
    try:
        pdf, pages = _renderer.render_counted(job.html, job.stylesheet)
        write_atomic(job.target, pdf, durable=False)
    except OutputError as error:
        return PdfFailed(str(error), writing=True, whole_folder=error.whole_folder)
    except Exception as error:  # any failure is this letter's alone
        return PdfFailed(f"PDF rendering failed: {type(error).__name__}: {error}")
    return PdfWritten(
        sha256=sha256_bytes(pdf),
        size=len(pdf),
        pages=pages,
        seconds=time.perf_counter() - started,
        worker=os.getpid(),
        peak_rss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    )
