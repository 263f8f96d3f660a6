"""`import` interrupted while it writes: every record old, or every record new, never a mix;
the next run finishes or rolls back the step and says which (lgo_letters.filesets).

Synchronised, not timed. The first test watches the records' folder until the import's
first temporary file appears, freezes the import there (SIGSTOP), notes whether the step had
reached its point of no return (its journal), then kills it (SIGKILL) or lets it meet
Ctrl-C (SIGINT, then SIGCONT); on most machines that lands before the journal. The second
stops it exactly in the middle of its renames, after the journal: the import runs as a user
runs it, from a launcher that adds a Python audit hook (PEP 578, which sees every
os.replace before it happens) stopping the process before its 100th record is renamed. No
code of the product knows. (Nothing the import legitimately waits on lies between its
journal and its last rename: the lock is taken and the files written and synced before.)
The unit tests below build each state exactly too.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lgo_letters.filesets import JOURNAL, recover, write_together
from lgo_letters.output import write_temporary
from tests.helpers import REPO
from tests.synthetic import YEAR, make_project
from tests.synthetic_sheet import write_figures_xlsx

COUNCILS = 300


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _command(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "lgo_letters", "import", str(YEAR), *args],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _freeze_at_first_temporary(process: subprocess.Popen[str], folder: Path) -> None:
    """Wait until the import has begun writing (a temporary file in `folder`), then stop it."""
    deadline = time.monotonic() + 120
    while not any(".lgo-letters-" in name for name in os.listdir(folder)):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the import never began writing"
    os.kill(process.pid, signal.SIGSTOP)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes], Path]:
    """A year of COUNCILS records, a workbook that changes every one, and the records as
    a whole import leaves them."""
    base = tmp_path_factory.mktemp("import-interrupt")
    root = make_project(base / "project", COUNCILS)
    figures = write_figures_xlsx(base / "figures.xlsx", COUNCILS, bump=1)
    done = base / "done"
    shutil.copytree(root, done)
    finished = subprocess.run(
        [sys.executable, "-m", "lgo_letters", "import", str(YEAR), str(figures)],
        cwd=done,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert finished.returncode == 0, finished.stderr
    return root, _files(done / "data" / str(YEAR) / "councils"), figures


@pytest.mark.slow  # a 300-record import in child processes, stopped by signals
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl-C"])
def test_an_interrupted_import_leaves_all_or_nothing(
    tmp_path: Path, project: tuple[Path, dict[str, bytes], Path], sig: int
) -> None:
    base, after, figures = project
    root = tmp_path / "project"
    shutil.copytree(base, root)
    year_dir = root / "data" / str(YEAR)
    councils = year_dir / "councils"
    before = _files(councils)
    assert before != after

    process = _command(root, str(figures))
    _freeze_at_first_temporary(process, councils)
    committed = (year_dir / JOURNAL).exists()
    os.kill(process.pid, sig)
    if sig != signal.SIGKILL:
        os.kill(process.pid, signal.SIGCONT)
    _, stderr = process.communicate(timeout=120)
    assert "Traceback" not in stderr

    if sig == signal.SIGINT:
        assert process.returncode == 130
        if committed:
            assert "interrupted, but only once every file was written" in stderr
        else:
            assert "interrupted: nothing written (every record is as it was)" in stderr
    records = {n: b for n, b in _files(councils).items() if ".lgo-letters-" not in n}
    # Never a mix: until the next run, each record is whole, old or new; after it, all one.
    assert all(records[n] in (before[n], after[n]) for n in before)
    again = subprocess.run(
        [sys.executable, "-m", "lgo_letters", "import", str(YEAR)],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert again.returncode == 0, again.stderr
    final = _files(councils)
    if committed:
        assert final == after
        if sig == signal.SIGKILL:
            assert "finished it" in again.stderr
    else:
        assert final == before
        if sig == signal.SIGKILL:
            assert "rolled it back" in again.stderr
    assert not (year_dir / JOURNAL).exists()
    assert not [n for n in os.listdir(year_dir) if ".lgo-letters-" in n]


# The import as `python -m lgo_letters import …` runs it, stopping itself (SIGSTOP) just
# before the STOP_AT-th record is renamed into place, once its journal has been.
STOP_AT = 100
_STOPPING = f"""
import os, runpy, signal, sys

renamed = {{"journal": False, "records": 0}}


def stop_in_the_renames(event, args):
    if event != "os.rename":  # os.replace's audit event, raised before the rename
        return
    target = os.fspath(args[1])
    if target.endswith({JOURNAL!r}):
        renamed["journal"] = True
    elif renamed["journal"] and os.sep + "councils" + os.sep in target:
        renamed["records"] += 1
        if renamed["records"] == {STOP_AT}:
            os.kill(os.getpid(), signal.SIGSTOP)


sys.addaudithook(stop_in_the_renames)
sys.argv = ["lgo-letters", *sys.argv[1:]]
runpy.run_module("lgo_letters", run_name="__main__", alter_sys=True)
"""


@pytest.mark.slow  # a 300-record import in child processes, stopped by signals
@pytest.mark.parametrize(
    "sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM], ids=["SIGKILL", "Ctrl-C", "SIGTERM"]
)
def test_an_import_stopped_in_the_middle_of_its_renames_is_finished(
    tmp_path: Path, project: tuple[Path, dict[str, bytes], Path], sig: int
) -> None:
    base, after, figures = project
    root = tmp_path / "project"
    shutil.copytree(base, root)
    year_dir = root / "data" / str(YEAR)
    councils = year_dir / "councils"
    before = _files(councils)

    process = subprocess.Popen(
        [sys.executable, "-c", _STOPPING, "import", str(YEAR), str(figures)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    _, status = os.waitpid(process.pid, os.WUNTRACED)  # until it stops itself
    assert os.WIFSTOPPED(status), process.communicate()

    # Stopped mid-step: the journal written, 99 records new, the others old beside their
    # new text, provenance.yaml not yet in place.
    assert (year_dir / JOURNAL).exists()
    records = {n: b for n, b in _files(councils).items() if ".lgo-letters-" not in n}
    renamed = [n for n in before if records[n] == after[n] != before[n]]
    assert len(renamed) == STOP_AT - 1
    assert all(records[n] == before[n] for n in before if n not in renamed)
    assert len(_files(councils)) == 2 * COUNCILS - (STOP_AT - 1)
    assert not (year_dir / "provenance.yaml").exists()

    os.kill(process.pid, sig)
    if sig != signal.SIGKILL:
        os.kill(process.pid, signal.SIGCONT)
    _, stderr = process.communicate(timeout=120)
    assert "Traceback" not in stderr
    if sig == signal.SIGKILL:
        assert process.returncode == -signal.SIGKILL
        # Killed: the next run finishes the step from its journal and says so.
        again = subprocess.run(
            [sys.executable, "-m", "lgo_letters", "import", str(YEAR)],
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert again.returncode == 0, again.stderr
        assert (
            f"an earlier import was interrupted after its records were complete: finished it "
            f"({COUNCILS + 1} file(s) put in place: import of {COUNCILS} record(s) into "
            f"{Path('data') / str(YEAR)})" in again.stderr
        )
    else:
        # Ctrl-C or SIGTERM waits for the renames: the import completes and says so.
        assert process.returncode == 128 + sig
        assert "interrupted, but only once every file was written: the import is complete" in (
            stderr
        )
    assert _files(councils) == after
    provenance = (year_dir / "provenance.yaml").read_text(encoding="utf-8")
    assert all(f'"{name.removesuffix(".yaml")}": {{' in provenance for name in after)
    assert not (year_dir / JOURNAL).exists()
    assert not [n for n in os.listdir(year_dir) if ".lgo-letters-" in n]


# -- the two halves, built exactly ----------------------------------------------------------


def _targets(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "councils"
    folder.mkdir()
    files = [folder / f"c{i}.yaml" for i in range(3)]
    for file in files:
        file.write_text("old\n")
    return files


def test_write_together_puts_every_file_in_place_and_leaves_nothing_else(tmp_path: Path) -> None:
    files = _targets(tmp_path)
    written = write_together({f: "new\n" for f in files}, tmp_path, "a test")
    assert written.files == tuple(files) and written.signal is None
    assert [f.read_text() for f in files] == ["new\n"] * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["councils"]
    assert sorted(p.name for p in files[0].parent.iterdir()) == ["c0.yaml", "c1.yaml", "c2.yaml"]


def test_recovery_before_the_journal_rolls_back(tmp_path: Path) -> None:
    files = _targets(tmp_path)
    # Interrupted while writing the new files: two of three temporary files exist.
    for file in files[:2]:
        write_temporary(file, "new\n")
    # Another writer's temporary file in the year's folder is not the step's.
    theirs = write_temporary(tmp_path / "approvals.yaml", "x")
    recovered = recover(tmp_path, folders=(files[0].parent,))
    assert len(recovered.rolled_back) == 2 and not recovered.finished
    assert [f.read_text() for f in files] == ["old\n"] * 3
    assert sorted(p.name for p in files[0].parent.iterdir()) == ["c0.yaml", "c1.yaml", "c2.yaml"]
    assert theirs.exists()


def test_recovery_after_the_journal_finishes(tmp_path: Path) -> None:
    files = _targets(tmp_path)
    temporaries = {f: write_temporary(f, "new\n") for f in files}
    entries = [{"target": str(f), "temporary": str(t)} for f, t in temporaries.items()]
    (tmp_path / JOURNAL).write_text(json.dumps({"what": "import of 3", "files": entries}))
    temporaries[files[0]].rename(files[0])  # one renamed before the interruption
    recovered = recover(tmp_path, folders=(files[0].parent,))
    assert recovered.finished == tuple(files) and recovered.what == "import of 3"
    assert [f.read_text() for f in files] == ["new\n"] * 3
    assert not (tmp_path / JOURNAL).exists()
    assert sorted(p.name for p in files[0].parent.iterdir()) == ["c0.yaml", "c1.yaml", "c2.yaml"]
