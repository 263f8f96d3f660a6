"""`build` against tampered output folders, damaged manifests, killed parents and signals:
nothing outside the year's output folder is touched, a letter's HTML and PDF change
together, no worker outlives its build, and every message says what really happened."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.build_checks import assert_consistent, counts, manifest
from tests.errorcases import Run, bound_by_permissions, invoke, run_process
from tests.faults import YEAR, council, make_project, write_record
from tests.helpers import REPO, descendants, run_cli
from tests.synthetic import make_project as make_synthetic

# Slow: whole builds, most with PDFs, some in child processes.
pytestmark = pytest.mark.slow


@pytest.fixture
def own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def build(*options: str) -> Run:
    return invoke("build", str(YEAR), *options)


def out_year(project: Path) -> Path:
    return project / "output" / str(YEAR)


# --- what --clean may delete --------------------------------------------------------------


def _tamper(project: Path, slug: str, files: dict[str, str]) -> None:
    """Give `slug`'s manifest entry these files (name → sha256)."""
    path = out_year(project) / "manifest.json"
    data = json.loads(path.read_text())
    data["councils"][slug]["files"] = {
        name: {"input": "x", "sha256": sha, "bytes": 1} for name, sha in files.items()
    }
    path.write_text(json.dumps(data))


def test_clean_deletes_nothing_outside_the_years_folder(own: Path, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    assert build("--format", "html").code == 0
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "precious.txt"
    elsewhere.write_text("keep me")
    beside = own / "output" / "precious.txt"
    beside.write_text("keep me too")
    other_letter = out_year(own) / "barnfield.html"
    sha = "0" * 64
    _tamper(
        own,
        "ashby",
        {str(elsewhere): sha, "../precious.txt": sha, "barnfield.html": sha, "ashby.html": sha},
    )
    (own / "data" / str(YEAR) / "councils" / "ashby.yaml").unlink()
    run = build("--format", "html", "--clean")
    assert run.code == 0, run.stderr
    assert elsewhere.read_text() == "keep me"
    assert beside.read_text() == "keep me too"
    assert other_letter.is_file()
    assert "not removed" in run.stderr and "the manifest is wrong" in run.stderr


def test_clean_deletes_a_stale_letter_only_as_it_was_built(own: Path) -> None:
    assert build("--format", "html").code == 0
    for slug in ("ashby", "barnfield"):
        (own / "data" / str(YEAR) / "councils" / f"{slug}.yaml").unlink()
    edited = out_year(own) / "barnfield.html"
    edited.write_text("someone's notes on this letter")
    run = build("--format", "html", "--clean")
    assert run.code == 0, run.stderr
    assert not (out_year(own) / "ashby.html").exists()
    assert edited.read_text() == "someone's notes on this letter"
    assert "'barnfield.html' of barnfield: changed since it was built: left as it is" in run.stderr


def test_clean_leaves_a_folder_named_like_a_letter(own: Path) -> None:
    assert build("--format", "html").code == 0
    (own / "data" / str(YEAR) / "councils" / "ashby.yaml").unlink()
    html = out_year(own) / "ashby.html"
    html.unlink()
    html.mkdir()
    (html / "inside.txt").write_text("x")
    run = build("--format", "html", "--clean")
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    assert (html / "inside.txt").is_file()
    assert "not a regular file" in run.stderr


# --- temporary files ------------------------------------------------------------------------


def test_a_build_removes_only_its_own_temporary_files(own: Path) -> None:
    folder = out_year(own)
    folder.mkdir(parents=True)
    theirs = [folder / ".notes.tmp", folder / ".ashby.pdf.tmp", folder / ".ashby.pdf.x1y2z3w4.tmp"]
    for file in theirs:
        file.write_text("not the tool's")
    ours = folder / ".ashby.pdf.lgo-letters-k2j4_9zq.tmp"
    ours.write_text("left by a killed build")
    assert build("--format", "html").code == 0
    assert all(file.read_text() == "not the tool's" for file in theirs)
    assert not ours.exists()


# --- damaged manifests --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "damage",
    [
        '{"format": 1, "year": 2021, "councils": {"ashby": null}}',
        '{"format": 1, "year": 2021, "councils": {"ashby": {"name": "A", "files": []}}}',
        '{"format": 1, "year": 2021, "councils": []}',
        '{"format": 1, "year": 2021, "councils": {"ashby": {"name": "A", "files": '
        '{"ashby.html": {"sha256": 7}}}}}',
        "[1, 2",
        "null",
    ],
)
def test_a_damaged_manifest_is_reported_once_and_ignored(own: Path, damage: str) -> None:
    assert build("--format", "html").code == 0
    (out_year(own) / "manifest.json").write_text(damage)
    run = build("--format", "html", "--clean")
    assert run.code == 0, run.stderr
    assert "manifest.json is damaged" in run.stderr
    assert counts(run.stderr) == (0, 3, 0)  # the letters on disk are current: none rewritten
    again = build("--format", "html")
    assert again.code == 0, again.stderr
    assert "damaged" not in again.stderr
    assert set(manifest(out_year(own))["councils"]) == {"ashby", "barnfield", "carrow"}


def test_a_manifest_that_cannot_be_written_costs_no_letter(
    own: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("lgo_letters.manifest.CHECKPOINT_SECONDS", -1.0)  # after every letter
    (out_year(own) / "manifest.json").mkdir(parents=True)
    run = build("--jobs", "1")
    assert run.code == 1, run.stderr
    assert "internal error" not in run.stderr
    assert counts(run.stderr) == (3, 0, 0)
    assert "manifest.json: a folder stands where the file should be" in run.stderr
    assert len(list(out_year(own).glob("*.pdf"))) == 3


# --- a letter's files change together -----------------------------------------------------------


def test_html_and_pdf_change_together_when_the_pdf_cannot_be_written(own: Path) -> None:
    assert build().code == 0
    html = out_year(own) / "ashby.html"
    before = html.read_text()
    write_record(own, "ashby", council("Ashby District Council", role="Acting Chief Executive"))
    pdf = out_year(own) / "ashby.pdf"
    pdf.unlink()
    pdf.mkdir()  # the PDF cannot be put in place
    run = build()
    assert run.code == 1
    assert "cannot write output/2021/ashby.pdf" in run.stderr
    assert html.read_text() == before  # not the new HTML beside no new PDF
    entry = manifest(out_year(own))["councils"]["ashby"]["files"]["ashby.html"]
    assert entry["sha256"] == __import__("hashlib").sha256(before.encode()).hexdigest()
    pdf.rmdir()
    rerun = build()
    assert rerun.code == 0, rerun.stderr
    assert "Acting Chief Executive" in html.read_text()
    assert_consistent(out_year(own))


# --- read-only output, a broken year file, messages ---------------------------------------------


def test_a_read_only_output_folder_with_nothing_to_rebuild_is_fine(own: Path) -> None:
    assert run_process("build", str(YEAR), "--format", "html", cwd=own).code == 0
    folder = out_year(own)
    folder.chmod(0o555)
    try:
        run = run_process(
            "build", str(YEAR), "--format", "html", cwd=own, preexec=bound_by_permissions()
        )
    finally:
        folder.chmod(0o755)
    assert run.code == 0, run.stderr
    assert counts(run.stderr) == (0, 3, 0)


def test_a_broken_year_file_counts_every_letter_as_failed(own: Path) -> None:
    (own / "data" / str(YEAR) / "year.yaml").write_text("letter_date: soon\n")
    run = build("--format", "html")
    assert run.code == 1
    assert counts(run.stderr) == (0, 0, 3)
    assert "year.yaml has problems, so no letter of 2021 can be made" in run.stderr


@pytest.mark.parametrize("kind", ["dangling", "looping"])
def test_an_output_folder_that_is_a_broken_link(own: Path, kind: str) -> None:
    link = own / "output"
    os.symlink(own / "nowhere" if kind == "dangling" else link, link)
    run = build("--format", "html")
    assert run.code == 1
    assert "a file, not a folder" not in run.stderr
    expected = "which does not exist" if kind == "dangling" else "loops back on itself"
    assert (
        f"output is not a folder: it is a symbolic link {'to ' if kind == 'dangling' else ''}"
        in run.stderr
    )
    assert expected in run.stderr


def test_a_stop_signal_after_the_last_letter_loses_nothing(
    own: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lgo_letters.build.progress import BuildProgress

    class CtrlCAtTheEnd(BuildProgress):
        def stop(self) -> None:  # called once every letter is done
            os.kill(os.getpid(), signal.SIGINT)
            super().stop()

    monkeypatch.setattr("lgo_letters.commands.build.BuildProgress", CtrlCAtTheEnd)
    run = build("--format", "html")
    assert run.code == 0, run.stderr
    assert "0 letter(s) not done" not in run.stderr
    assert "SIGINT came after the last letter: nothing was left undone" in run.stderr


# --- processes: killed parents, signals to the group, Ctrl-C at start-up ------------------------


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _start(project: Path, *options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "lgo_letters", "build", str(YEAR), "--jobs", "2", *options],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def _wait_for(condition, what: str, build: subprocess.Popen[str], seconds: float = 120) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGHUP], ids=["SIGKILL", "SIGHUP"])
def test_no_worker_outlives_a_killed_build(tmp_path: Path, sig: signal.Signals) -> None:
    project = make_synthetic(tmp_path, 16)
    folder = out_year(project)
    build_process = _start(project)
    _wait_for(lambda: len(list(folder.glob("*.pdf"))) >= 2, "two PDFs", build_process)
    helpers = set(descendants(build_process.pid))
    assert helpers, "no fork server or workers found"
    build_process.send_signal(sig)
    # The pipe closes once every process holding it is gone (it stayed open for good).
    build_process.communicate(timeout=60)
    _wait_for(lambda: not _alive(helpers), "the workers to exit", build_process, seconds=30)

    rerun = run_cli("build", str(YEAR), cwd=project)
    assert rerun.returncode == 0, rerun.stderr
    assert_consistent(folder)  # no file changed behind the rerun's back


def test_sigterm_to_the_process_group_claims_no_retry(tmp_path: Path) -> None:
    project = make_synthetic(tmp_path, 16)
    folder = out_year(project)
    build_process = _start(project)
    _wait_for(lambda: len(list(folder.glob("*.pdf"))) >= 2, "two PDFs", build_process)
    os.killpg(build_process.pid, signal.SIGTERM)
    _, stderr = build_process.communicate(timeout=120)
    assert build_process.returncode == 128 + signal.SIGTERM, stderr
    assert "retried in a fresh one" not in stderr
    assert_consistent(folder)


def _importing(pids: set[int], library: str) -> bool:
    """Whether one of `pids` has loaded `library` (a shared object) by now."""
    for pid in pids:
        try:
            if library in Path(f"/proc/{pid}/maps").read_text():
                return True
        except OSError:
            continue
    return False


def test_ctrl_c_during_start_up_prints_no_traceback(tmp_path: Path) -> None:
    project = make_synthetic(tmp_path, 4)
    build_process = _start(project)
    # Ctrl-C while the fork server is importing the worker's modules: it has loaded
    # pydantic's core (early) and goes on to WeasyPrint for about a second more.
    _wait_for(
        lambda: _importing(set(descendants(build_process.pid)), "pydantic_core"),
        "the fork server's imports",
        build_process,
    )
    os.killpg(build_process.pid, signal.SIGINT)
    _, stderr = build_process.communicate(timeout=120)
    assert build_process.returncode == 128 + signal.SIGINT, stderr
    assert "Traceback" not in stderr, stderr
    assert "KeyboardInterrupt" not in stderr, stderr
