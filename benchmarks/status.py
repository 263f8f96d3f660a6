"""How fast `lgo-letters status YEAR` is on a synthetic year. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/status.py [--councils 340] [--runs 3]

The target is under 1 s for 340 councils. Measured twice, each the whole command including
Python's start-up: a year never built, then after a build with `--format html` (the
manifest read, each letter's HTML file hashed). The first run renders every letter; later
ones take unchanged letters' HTML hashes from status's cache.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.synthetic import YEAR, make_project  # noqa: E402


def _timed(root: Path, *args: str) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds of the command's process)."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "lgo_letters", *args, str(YEAR)],
        cwd=root,
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--councils", type=int, default=340)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = make_project(Path(folder), options.councils)
        fresh = [_timed(root, "status") for _ in range(options.runs)]
        _timed(root, "build", "--format", "html")
        built = [_timed(root, "status") for _ in range(options.runs)]
    print(f"status of {options.councils} councils (whole command, best of {options.runs}):")
    for label, runs in (("nothing built", fresh), ("letters built", built)):
        wall, cpu = min(runs)
        print(f"  {label}: {wall:.2f} s wall clock, {cpu:.2f} s CPU")


if __name__ == "__main__":
    main()
