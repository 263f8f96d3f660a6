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
    # Records that take seconds each to parse (just under the 1 MB limit, kept on PyYAML's
    # Python scanner by a tab): validate is mid-run when we stop it. (A FIFO once served
    # here, but records are no longer opened in a way that waits for a writer.)
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
        time.sleep(2.0)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130
    assert "Traceback" not in stderr
