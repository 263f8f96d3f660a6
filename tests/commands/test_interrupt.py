"""Ctrl-C in any command: exit 130, never a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import REPO

# Slow: Ctrl-C must reach a real process.
pytestmark = pytest.mark.slow


def wait_until_loaded(process: subprocess.Popen[str], library: str) -> None:
    """Wait until `process` has loaded `library` (a shared object): the command is running."""
    deadline = time.monotonic() + 60
    while library not in Path(f"/proc/{process.pid}/maps").read_text():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"the command never loaded {library}"
        time.sleep(0.01)


def test_ctrl_c_exits_130_without_a_traceback(project: Path) -> None:
    # Records that take seconds each to parse (just under the 1 MB limit, kept on PyYAML's
    # Python scanner by a tab): once validate has loaded its schema (pydantic's core), it
    # has many seconds of parsing ahead when we stop it. (A FIFO once served here, but
    # records are no longer opened in a way that waits for a writer.)
    slow = "# a tab\there\n" + "\n".join(f"key{i}: [value {i}, other {i}]" for i in range(27_000))
    for number in range(5):
        (project / "data" / "2020" / "councils" / f"zz-slow-{number}.yaml").write_text(slow)
    process = subprocess.Popen(
        [sys.executable, "-m", "lgo_letters", "validate", "2020"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        # As at a terminal: SIGINT handled by default, even when this test runs in a
        # background job (which starts with SIGINT ignored, and children inherit that).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        wait_until_loaded(process, "pydantic_core")
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert "Traceback" not in stderr
