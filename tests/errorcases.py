"""Shared helpers for the tests of bad input: run a command, read its problems (records are
written with tests/records.py)."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lgo_letters.cli import app
from tests.helpers import REPO


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def problems(self) -> list[str]:
        """The problem lines of stderr (the ones that start with a data/ or templates/ path)."""
        return [
            line for line in self.stderr.splitlines() if line.startswith(("data/", "templates/"))
        ]

    def problem_for(self, file: str) -> str:
        found = [p for p in self.problems() if p.startswith(file + ":")]
        assert len(found) == 1, f"expected one problem for {file}, got: {self.stderr}"
        return found[0]


def invoke(*args: str) -> Run:
    """Run the command in this process (fast), as the user's command line would."""
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


def run_process(*args: str, cwd: Path, preexec: Callable[[], None] | None = None) -> Run:
    """Run the real `lgo-letters` in a child process (for faults a process must meet)."""
    result = subprocess.run(
        [sys.executable, "-m", "lgo_letters", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=preexec,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    return Run(result.returncode, result.stdout, result.stderr)


# chmod does not keep root out: root bypasses file permissions through two capabilities.
# As root, the command runs with both dropped (from the capability bounding set, which
# applies from the exec on), so permissions bind it as they bind any office user.
_PR_CAPBSET_DROP = 24
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 1, 2


def _drop_permission_overrides() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
        if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def bound_by_permissions() -> Callable[[], None] | None:
    """A preexec function under which file permissions apply even to root (None when we
    are not root); skips the test if this system does not allow dropping them."""
    if os.geteuid() != 0:
        return None
    probe = subprocess.run(
        [sys.executable, "-c", "pass"],
        check=False,
        preexec_fn=_drop_permission_overrides,
        capture_output=True,
    )
    if probe.returncode != 0:
        pytest.skip("running as root without the right to drop CAP_DAC_OVERRIDE")
    return _drop_permission_overrides


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.names.add(tag)


def element_names(html: str) -> set[str]:
    """The names of every element in `html` ("p", "script", ...)."""
    parser = _Elements()
    parser.feed(html)
    return parser.names
