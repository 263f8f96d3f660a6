"""Interrupting a real build: Ctrl-C, SIGTERM or a killed worker leaves every file either
old or new, never partial, a manifest that matches the files, and a next run that does
only what is missing.

No race with the build: once two letters are written, the worker processes are frozen
(SIGSTOP) while the test counts what is done and signals the build or kills a worker, then
let go (SIGCONT). So the build is always caught with letters still to do.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from tests.build_checks import assert_consistent, counts
from tests.helpers import descendants, run_cli
from tests.synthetic import YEAR, make_project

# Slow: builds of a synthetic year in child processes, stopped by signals.
pytestmark = pytest.mark.slow

COUNCILS = 12
JOBS = 2
# Letters a stopping build may still finish: those in its workers' hands (one being laid out
# and one queued behind it, per worker).
IN_FLIGHT = 2 * JOBS


@pytest.fixture
def synthetic(tmp_path: Path) -> Path:
    return make_project(tmp_path, COUNCILS)


def start_build(project: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "lgo_letters", "build", str(YEAR), "--jobs", str(JOBS)],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_pdfs(out_year: Path, count: int, build: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while len(list(out_year.glob("*.pdf"))) < count:
        assert build.poll() is None, build.communicate()
        assert time.monotonic() < deadline, "the build made no progress"
        time.sleep(0.02)


@contextmanager
def frozen_workers(build: subprocess.Popen[str]) -> Iterator[list[int]]:
    """The build's worker processes, stopped while the block runs (the workers are the
    fork server's children: grandchildren of the build)."""
    workers = [p for p, parent in descendants(build.pid).items() if parent != build.pid]
    assert workers, "no worker processes found"
    for worker in workers:
        os.kill(worker, signal.SIGSTOP)
    try:
        yield workers
    finally:
        for worker in workers:
            with suppress(ProcessLookupError):
                os.kill(worker, signal.SIGCONT)


def pdfs_written(out_year: Path) -> int:
    return len(list(out_year.glob("*.pdf")))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_stops_cleanly_and_rerun_finishes_only_the_rest(
    synthetic: Path, sig: signal.Signals
) -> None:
    out_year = synthetic / "output" / str(YEAR)
    build = start_build(synthetic)
    wait_for_pdfs(out_year, 2, build)
    with frozen_workers(build):
        written = pdfs_written(out_year)
        assert written + IN_FLIGHT < COUNCILS, "the build got too far to be interrupted"
        build.send_signal(sig)
    _, stderr = build.communicate(timeout=120)
    assert build.returncode == 128 + sig, stderr
    assert f"interrupted by {sig.name}" in stderr
    done = assert_consistent(out_year)["councils"]
    finished = [s for s, entry in done.items() if any(n.endswith(".pdf") for n in entry["files"])]
    assert written <= len(finished) <= written + IN_FLIGHT, stderr

    rerun = run_cli("build", str(YEAR), cwd=synthetic)
    assert rerun.returncode == 0, rerun.stderr
    assert counts(rerun.stderr) == (COUNCILS - len(finished), len(finished), 0)
    assert len(assert_consistent(out_year)["councils"]) == COUNCILS


def test_killed_worker_loses_no_letter(synthetic: Path) -> None:
    out_year = synthetic / "output" / str(YEAR)
    build = start_build(synthetic)
    wait_for_pdfs(out_year, 2, build)
    with frozen_workers(build) as workers:
        assert pdfs_written(out_year) + IN_FLIGHT < COUNCILS, "the build got too far"
        os.kill(workers[0], signal.SIGKILL)  # it holds a letter: the build has more to do
    _, stderr = build.communicate(timeout=300)
    assert build.returncode == 0, stderr
    assert "a worker process died 1 time(s)" in stderr
    assert counts(stderr) == (COUNCILS, 0, 0)
    assert len(assert_consistent(out_year)["councils"]) == COUNCILS
    assert len(list(out_year.glob("*.pdf"))) == COUNCILS
