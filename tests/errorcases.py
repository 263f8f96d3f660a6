"""Shared helpers for the tests of bad input: write a record, run a command, read problems."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lgo_letters.cli import app
from tests.conftest import REPO

# A valid 2021 record (the 2021 format has a place for every optional field).
VALID_COUNCIL = """\
name: Dartford Borough Council
type: district
recipients: [Mrs Martin]
role: Director of Corporate Services
statistics:
  investigations: 4
  upheld: 3
  satisfactory_remedies: 0
  compliance_outcomes: 3
  complied: 3
"""

# file:line:col: field: message, as every problem is printed.
PROBLEM_LINE = re.compile(r"^(?P<file>[^:\n]+)(?::(?P<line>\d+))?(?::(?P<col>\d+))?: (?P<rest>.*)$")


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def problems(self) -> list[str]:
        """The problem lines of stderr (the ones that start with a data/ or templates/ path)."""
        return [
            line for line in self.stderr.splitlines()
            if line.startswith(("data/", "templates/"))
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
        [sys.executable, "-m", "lgo_letters", *args], cwd=cwd, capture_output=True, text=True,
        timeout=300, preexec_fn=preexec, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    return Run(result.returncode, result.stdout, result.stderr)


@pytest.fixture
def in_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary copy of data/ and templates/, made the working folder, so problems are
    printed with paths like data/2021/councils/dartford.yaml as a user sees them."""
    monkeypatch.chdir(project)
    return project


def write_council(project: Path, slug: str, text: str | bytes, year: int = 2021) -> Path:
    file = project / "data" / str(year) / "councils" / f"{slug}.yaml"
    file.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        file.write_bytes(text)
    else:
        file.write_text(text, encoding="utf-8")
    return file


def council_with(old: str, new: str) -> str:
    """VALID_COUNCIL with one piece of text replaced (it must be there)."""
    assert old in VALID_COUNCIL
    return VALID_COUNCIL.replace(old, new)


# Running as another user: chmod cannot keep root out, so as root the command runs as
# `nobody` in a folder that user can reach.
NOBODY = 65534


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A temporary folder anyone can reach (pytest's own is private to its user)."""
    folder = Path(tempfile.mkdtemp(prefix="lgo-letters-test-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    shutil.rmtree(folder)


def as_unprivileged_user() -> Callable[[], None] | None:
    """A preexec function that drops root, or None when we are not root."""
    if os.geteuid() != 0:
        return None

    def drop() -> None:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)

    probe = subprocess.run([sys.executable, "-c", "import lgo_letters"], preexec_fn=drop,
                           capture_output=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    if probe.returncode != 0:
        pytest.skip("running as root, and user 'nobody' cannot run lgo-letters from here")
    return drop


def copy_project(into: Path) -> Path:
    for folder in ("data", "templates"):
        shutil.copytree(REPO / folder, into / folder)
    for path in [into, *into.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return into
