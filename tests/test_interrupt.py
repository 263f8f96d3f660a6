"""Ctrl-C in any command: exit 130, never a traceback."""

from __future__ import annotations

import errno
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


def open_for_writing_once_read(fifo: Path, reader: subprocess.Popen[str]) -> int:
    """Open `fifo` for writing as soon as `reader` has opened it to read (which is when a
    non-blocking open stops failing with ENXIO); fail if the reader exits first."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as error:
            if error.errno != errno.ENXIO:
                raise
        assert reader.poll() is None, reader.communicate()
        assert time.monotonic() < deadline, "the command never opened the FIFO"
        time.sleep(0.01)


def test_ctrl_c_exits_130_without_a_traceback(project: Path) -> None:
    # Reading a FIFO blocks until someone writes to it: once validate has opened it (and
    # nothing is written), it is mid-run, waiting, when we stop it.
    fifo = project / "data" / "2020" / "councils" / "zz-blocked.yaml"
    os.mkfifo(fifo)
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
    writer = None
    try:
        writer = open_for_writing_once_read(fifo, process)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
        if writer is not None:
            os.close(writer)
    assert process.returncode == 130
    assert "Traceback" not in stderr
