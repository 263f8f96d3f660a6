"""How fast `lgo-letters status YEAR` is on a synthetic year. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/status.py [--councils 340] [--runs 3]

The target is under 1 s for 340 councils. Measured twice: letters never built (every
letter rendered, no files to hash) and after a build with `--format html` (the manifest
read, each letter's HTML file hashed), each the whole command including Python's start-up.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.synthetic import YEAR, make_project  # noqa: E402


def _timed(root: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "lgo_letters", *args, str(YEAR)],
        cwd=root,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


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
    print(f"  never built:         {min(fresh):.2f} s")
    print(f"  built (HTML hashed): {min(built):.2f} s")


if __name__ == "__main__":
    main()
