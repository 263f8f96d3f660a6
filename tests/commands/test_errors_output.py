"""Output folders that cannot be written, and faults of the program itself: a clear
message, a non-zero exit, no traceback, and no letter already on disk damaged."""

from __future__ import annotations

import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.errorcases import Run, bound_by_permissions, invoke, run_process
from tests.helpers import REPO

# The tests that build in child processes (to meet the faults a process meets: read-only
# folders, a full disk) are marked slow; those using built_2020 by tests/conftest.py.
COUNCILS_2020 = ["ashfield", "dacorum", "harborough", "worcester"]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in `folder` (hidden ones too), by name, with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def built_2020(project: Path) -> Path:
    """The project with 2020 built as HTML, and a record changed since, so that a rebuild
    would replace every letter."""
    run = run_process("build", "2020", "--format", "html", cwd=project)
    assert run.code == 0, run.stderr
    for slug in COUNCILS_2020:
        record = project / "data/2020/councils" / f"{slug}.yaml"
        record.write_text(record.read_text().replace("role: ", "role: Acting "))
    return project


def assert_clean_failure(run: Run) -> None:
    assert run.code == 1
    assert "Traceback" not in run.stderr
    assert "0 letter(s) built, 4 failed" in run.stderr


def test_a_read_only_output_folder(built_2020: Path) -> None:
    folder = built_2020 / "output/2020"
    before = snapshot(folder)
    folder.chmod(0o555)
    try:
        run = run_process(
            "build", "2020", "--format", "html", cwd=built_2020, preexec=bound_by_permissions()
        )
    finally:
        folder.chmod(0o755)
    assert_clean_failure(run)
    assert (
        "cannot write output/2020: permission denied: the folder is read-only for you; "
        "no letter was written"
    ) in run.stderr
    assert snapshot(folder) == before


def _limit_file_size() -> None:
    # Like a full disk for any file over 4 kB; Python ignores SIGXFSZ, so the write fails
    # with EFBIG instead of the process being killed.
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_a_full_disk_leaves_every_letter_as_it_was(built_2020: Path) -> None:
    folder = built_2020 / "output/2020"
    before = snapshot(folder)
    letters = [data for name, data in before.items() if name != "manifest.json"]
    assert all(len(letter) > 4096 for letter in letters)
    run = run_process("build", "2020", "--format", "html", cwd=built_2020, preexec=_limit_file_size)
    assert_clean_failure(run)
    assert (
        "ashfield: cannot write output/2020/ashfield.html: the file is larger than the "
        "system allows (is the disk full or limited?); 3 more letter(s) not attempted" in run.stderr
    )
    assert snapshot(folder) == before  # and no temporary file is left behind


@pytest.mark.parametrize("where", ["output", "output/2020"])
@pytest.mark.slow  # a child process
def test_an_output_path_that_is_a_file(project: Path, where: str) -> None:
    (project / where).parent.mkdir(parents=True, exist_ok=True)
    (project / where).write_text("not a folder")
    run = run_process("build", "2020", "--format", "html", cwd=project)
    assert_clean_failure(run)
    assert (
        "cannot write output/2020: part of the path is a file, not a folder; no letter was written"
    ) in run.stderr
    assert (project / where).read_text() == "not a folder"


@pytest.mark.slow  # a child process
def test_a_folder_where_one_letter_goes_fails_only_that_letter(project: Path) -> None:
    (project / "output/2020/dacorum.html").mkdir(parents=True)
    run = run_process("build", "2020", "--format", "html", cwd=project)
    assert run.code == 1
    assert (
        "dacorum: cannot write output/2020/dacorum.html: a folder stands where the file should be"
    ) in run.stderr
    assert "3 letter(s) built, 1 failed" in run.stderr
    assert sorted(p.name for p in (project / "output/2020").iterdir()) == [
        "ashfield.html",
        "dacorum.html",
        "harborough.html",
        "manifest.json",
        "worcester.html",
    ]
    assert (project / "output/2020/dacorum.html").is_dir()


def test_letters_get_the_permissions_of_any_new_file(project: Path) -> None:
    run = invoke(
        "build",
        "2021",
        "--format",
        "html",
        "--data",
        str(project / "data"),
        "--templates",
        str(project / "templates"),
        "--out",
        str(project / "output"),
    )
    assert run.code == 0
    mode = stat.S_IMODE((project / "output/2021/dartford.html").stat().st_mode)
    assert mode & stat.S_IROTH  # readable by a web server or a colleague, like any file


CRASHING_VALIDATE = """
import sys
import lgo_letters.commands.validate as validate

def fault(*args):
    raise KeyError("an unexpected internal fault")

validate.run_validate = fault
sys.argv = ["lgo-letters", "validate"]
from lgo_letters.cli import main
main()
"""


@pytest.mark.slow  # a child process
def test_an_internal_error_is_one_line_and_a_log(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CRASHING_VALIDATE],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "LGO_LETTERS_LOG_DIR": str(tmp_path)},
        timeout=60,
    )
    [log] = tmp_path.glob("lgo-letters-error-*.log")
    assert result.returncode == 70
    assert result.stdout == ""
    assert result.stderr == (
        "internal error in lgo-letters (a fault in the program, not in your records): "
        f"KeyError: 'an unexpected internal fault'; details in {log}\n"
    )
    text = log.read_text()
    assert text.startswith("lgo-letters validate\n")
    assert "Traceback (most recent call last)" in text
    assert "line 6, in fault" in text
