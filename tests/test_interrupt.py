"""Ctrl-C in any command: exit 130, never a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO


def test_ctrl_c_exits_130_without_a_traceback(project: Path) -> None:
    # Reading a FIFO blocks until someone writes to it: validate is mid-run when we stop it.
    os.mkfifo(project / "data" / "2020" / "councils" / "zz-blocked.yaml")
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
        time.sleep(2.0)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert "Traceback" not in stderr
