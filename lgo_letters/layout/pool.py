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
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from lgo_letters.layout.jobs import PdfFailed, PdfJob, PdfWritten
from lgo_letters.layout.step import pdf_failure

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
        context.set_forkserver_preload(["lgo_letters.layout.worker"])
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

    def render(self, jobs: Iterable[PdfJob]) -> Iterator[tuple[PdfJob, PdfWritten | PdfFailed]]:
        """Each letter's outcome as it completes. When a stop is requested, letters already
        being rendered are finished and reported; the rest are left undone.

        A dying worker breaks its whole generation: every letter in flight then fails alike,
        the one that killed it and the innocent ones queued beside it. So those letters are
        retried one at a time, each alone in a fresh worker, and only a letter whose worker
        dies while it is the only letter in flight is charged an attempt.
        """
        pending = deque(jobs)
        suspects: deque[PdfJob] = deque()  # in flight when a worker died: each retried alone
        deaths: Counter[str] = Counter()
        retried: set[str] = set()
        while (suspects or pending) and not self.stop_requested():
            if suspects:
                queue, workers = deque([suspects.popleft()]), 1
                retried.add(queue[0].slug)
                self.letters_retried = len(retried)
            else:
                queue, workers = pending, min(self.jobs, len(pending))
            broken, lost = yield from self._generation(queue, workers)
            if queue is not pending:
                suspects.extendleft(queue)  # never handed to the worker (a stop came)
            if not broken:
                continue
            self.workers_lost += 1
            if workers > 1 or len(lost) > 1:
                suspects.extend(lost)  # the culprit is among them: each is tried alone
                continue
            for job in lost:  # the only letter in the only worker: it killed the worker
                deaths[job.slug] += 1
                if deaths[job.slug] < ATTEMPTS:
                    suspects.appendleft(job)
                else:
                    times = deaths[job.slug]
                    reason = f"the worker process rendering this letter died ({times} times)"
                    yield job, PdfFailed(pdf_failure(job.slug, job.record_file, reason))

    def _generation(
        self, queue: deque[PdfJob], workers: int
    ) -> Generator[tuple[PdfJob, PdfWritten | PdfFailed], None, tuple[bool, list[PdfJob]]]:
        """Render letters from `queue` in one pool of `workers` processes until its letter
        budget is spent, the queue is empty or a worker dies. Returns whether one died, and
        the letters that were in flight then (taken from the queue, never reported)."""
        from lgo_letters.layout.worker import init_worker, render_pdf  # WeasyPrint: here only

        budget = workers * self.letters_per_worker
        executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_context(),
            initializer=init_worker,
            initargs=(self.templates_dir, os.getpid()),
        )
        in_flight: dict[Future, PdfJob] = {}
        broken = False
        lost: list[PdfJob] = []
        try:
            while True:
                # Keep every worker busy with one letter queued behind it, no more, so a
                # stop or a broken pool leaves little work in the air.
                while (
                    queue
                    and budget
                    and not broken
                    and not self.stop_requested()
                    and len(in_flight) < 2 * workers
                ):
                    job = queue.popleft()
                    try:
                        in_flight[executor.submit(render_pdf, job)] = job
                    except BrokenProcessPool:  # a worker died before we heard of it
                        queue.appendleft(job)
                        broken = True
                        break
                    budget -= 1
                if not in_flight:
                    return broken, lost
                done, _ = wait(in_flight, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in done:
                    job = in_flight.pop(future)
                    try:
                        outcome = future.result()
                    except BrokenProcessPool:
                        broken = True
                        lost.append(job)
                        continue
                    yield job, outcome
        finally:
            for future in in_flight:
                future.cancel()
            executor.shutdown(wait=True, cancel_futures=True)
