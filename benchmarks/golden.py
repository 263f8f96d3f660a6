"""What the golden checks of a real-sized year cost: `lgo-letters check` on a synthetic year.
Prints figures; asserts nothing.

    .venv/bin/python benchmarks/golden.py [--councils 340] [--samples 3] [--runs 1]

The year: N synthetic councils (tests/synthetic.py: every type of authority, a spread of
counts, a third with every optional paragraph of the 2021 format), the tests' own 2021 edge
cases, and `--samples` councils named in golden/settings.yaml (pictures of their pages, as
the edge cases have). Measured, each the whole command including Python's start-up:

  (0) for reference, `lgo-letters build` of the same year from nothing (its PDFs are the
      same work, on the same worker pool),
  (1) `check --update` of the year with no golden files yet (every case new),
  (2) `check` with nothing changed,
  (3) `check` after a sentence of the template is edited (every case changed),

then the size of data/<year>/golden/ (bytes of its files, and on disk) and its number of
files. Targets (issue 22): under 3 MB and under 700 files; `check` under 60 s on two cores.

The machine may be shared: besides the wall clock, each line gives the CPU time of every
process the command started (its PDF workers and their fork server included; they are
collected here as a subreaper), which other people's load does not inflate.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.helpers import PROJECT_DATA  # noqa: E402
from tests.synthetic import YEAR, make_project  # noqa: E402

_PR_SET_CHILD_SUBREAPER = 36
SENTENCE = "We want to provide you with the most insightful information we can"
EDITED = "We want to give you the most insightful information we can"


def _become_subreaper() -> None:
    """Orphaned descendants (the PDF workers' fork server) become our children, so their
    CPU time is counted once we have waited for them."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("note: not a subreaper; the workers' CPU time may be missing", file=sys.stderr)


def _reap_orphans() -> None:
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(root: Path, *args: str, command: str = "check") -> tuple[float, float, int]:
    """(wall-clock seconds, CPU seconds of every process of the command, exit code)."""
    cpu_before = _cpu()
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "lgo_letters", command, str(YEAR), *args],
        cwd=root,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    _reap_orphans()
    return wall, _cpu() - cpu_before, result.returncode


def _size(folder: Path) -> tuple[int, int, int]:
    """(bytes in its files, bytes on disk, number of files)."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    on_disk = sum(p.stat().st_blocks * 512 for p in files)
    return sum(p.stat().st_size for p in files), on_disk, len(files)


def _make_year(root: Path, councils: int, samples: int) -> None:
    make_project(root, councils)
    golden = root / "data" / str(YEAR) / "golden"
    shutil.copytree(PROJECT_DATA / str(YEAR) / "golden" / "cases", golden / "cases")
    slugs = sorted(p.stem for p in (root / "data" / str(YEAR) / "councils").glob("*.yaml"))
    chosen = slugs[:: max(1, len(slugs) // samples)][:samples] if samples else []
    (golden / "settings.yaml").write_text(f"sample_councils: [{', '.join(chosen)}]\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--councils", type=int, default=340)
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--runs", type=int, default=1, help="runs of (2) and (3); best shown")
    options = parser.parse_args()
    _become_subreaper()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        _make_year(root, options.councils, options.samples)
        edge_cases = len(list((root / "data" / str(YEAR) / "golden" / "cases").glob("*.yaml")))
        cases = options.councils + edge_cases
        print(
            f"A synthetic {YEAR} of {options.councils} councils, {edge_cases} edge cases and "
            f"{options.samples} sample councils ({cases} cases), on {os.cpu_count()} cores; "
            f"load average {os.getloadavg()[0]:.1f} at the start"
        )
        lines = []
        build = _timed(root, "--out", str(root / "built"), command="build")
        lines.append(("(0) build, for reference", *build))
        shutil.rmtree(root / "built")
        wall, cpu, code = _timed(root, "--update")
        lines.append(("(1) check --update, no golden files yet", wall, cpu, code))
        size, on_disk, files = _size(root / "data" / str(YEAR) / "golden")
        unchanged = [_timed(root) for _ in range(options.runs)]
        lines.append(("(2) check, nothing changed", *min(unchanged)))
        template = root / "templates" / str(YEAR) / "letter.html.j2"
        original = template.read_text()
        if SENTENCE not in original:
            template = root / "templates" / "base.html.j2"
            original = template.read_text()
        edited = original.replace(SENTENCE, EDITED)
        if edited == original:
            print("note: the sentence to edit is not in the template; (3) changes nothing")
        template.write_text(edited)
        changed = [_timed(root) for _ in range(options.runs)]
        lines.append(("(3) check, a template sentence edited", *min(changed)))
        template.write_text(original)
    for label, wall, cpu, code in lines:
        print(f"{label:42} {wall:6.1f} s wall clock {cpu:7.1f} s CPU (exit {code})")
    print(
        f"data/{YEAR}/golden/: {size / 1e6:.2f} MB in its files ({on_disk / 1e6:.2f} MB on "
        f"disk), {files} files (the edge-case records and settings.yaml included)"
    )
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
