"""A pool of worker processes that turn letters' HTML into PDFs.

Workers are recycled in generations: after about `letters_per_worker` letters each, the
pool is shut down and a fresh one started, so a worker's memory cannot grow without bound.
(ProcessPoolExecutor's own max_tasks_per_child can hang on Python 3.11-3.13 when a worker
retires with work queued: CPython gh-115634.) A worker that dies breaks its generation;
the letters it held are retried once in a fresh one before they count as failed.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from lgo_letters.build.jobs import PdfFailed, PdfJob, PdfWritten

LETTERS_PER_WORKER = 200
ATTEMPTS = 2  # tries for a letter whose worker died under it
_POLL_SECONDS = 0.2


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where there is one: workers fork from a process that has WeasyPrint loaded."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["lgo_letters.build.worker"])
        return context
    return multiprocessing.get_context("spawn")


def warm_up() -> None:
    """Start the fork server now, so it imports WeasyPrint while the build renders HTML.

    SIGINT is ignored while it (and multiprocessing's resource tracker) are started: an
    ignored signal stays ignored across exec, so a Ctrl-C to the process group while they
    start up and import WeasyPrint no longer prints their KeyboardInterrupt tracebacks
    (Ctrl-C is the build's to handle). A blocked one would not do: the child's mask is reset.
    """
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        if threading.current_thread() is not threading.main_thread():
            forkserver.ensure_running()  # only the main thread may change signal handlers
            return
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            forkserver.ensure_running()
        finally:
            signal.signal(signal.SIGINT, previous)


class PdfPool:
    def __init__(
        self,
        jobs: int,
        templates_dir: Path,
        letters_per_worker: int = LETTERS_PER_WORKER,
        stop_requested: Callable[[], bool] = lambda: False,
    ):
        self.jobs = max(1, jobs)
        self.templates_dir = templates_dir
        self.letters_per_worker = max(1, letters_per_worker)
        self.stop_requested = stop_requested
        self.workers_lost = 0  # generations broken by a dying worker
        self.letters_retried = 0  # letters given to a fresh worker after theirs died
        self.letters_lost = 0  # letters a dead worker held that were not retried (stopping)

    def render(self, jobs: Iterable[PdfJob]) -> Iterator[tuple[PdfJob, PdfWritten | PdfFailed]]:
        """Each letter's outcome as it completes. When a stop is requested, letters already
        being rendered are finished and reported; the rest are left undone."""
        pending = deque(jobs)
        attempts: Counter[str] = Counter()
        while pending and not self.stop_requested():
            yield from self._generation(pending, attempts)
        # Letters put back for a retry that a stop then left undone were never retried.
        self.letters_lost += sum(1 for job in pending if attempts[job.slug])
        self.letters_retried -= sum(1 for job in pending if attempts[job.slug])

    def _generation(
        self, pending: deque[PdfJob], attempts: Counter[str]
    ) -> Iterator[tuple[PdfJob, PdfWritten | PdfFailed]]:
        from lgo_letters.build.worker import init_worker, render_pdf  # WeasyPrint: here only

        budget = self.jobs * self.letters_per_worker
        workers = min(self.jobs, len(pending))
        executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_context(),
            initializer=init_worker,
            initargs=(self.templates_dir, False, os.getpid()),
        )
        in_flight: dict[Future, PdfJob] = {}
        broken = False
        try:
            while True:
                # Keep every worker busy with one letter queued behind it, no more, so a
                # stop or a broken pool leaves little work in the air.
                while (
                    pending
                    and budget
                    and not broken
                    and not self.stop_requested()
                    and len(in_flight) < 2 * workers
                ):
                    job = pending.popleft()
                    try:
                        in_flight[executor.submit(render_pdf, job)] = job
                    except BrokenProcessPool:  # a worker died before we heard of it
                        pending.appendleft(job)
                        broken = True
                        self.workers_lost += 1
                        break
                    budget -= 1
                if not in_flight:
                    return
                done, _ = wait(in_flight, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in done:
                    job = in_flight.pop(future)
                    try:
                        yield job, future.result()
                    except BrokenProcessPool:
                        if not broken:
                            self.workers_lost += 1
                        broken = True
                        attempts[job.slug] += 1
                        if attempts[job.slug] < ATTEMPTS:
                            pending.appendleft(job)
                            self.letters_retried += 1
                        else:
                            yield (
                                job,
                                PdfFailed(
                                    "the worker process rendering this letter died "
                                    f"({attempts[job.slug]} times)"
                                ),
                            )
        finally:
            for future in in_flight:
                future.cancel()
            executor.shutdown(wait=True, cancel_futures=True)
