"""How fast `lgo-letters preview YEAR SLUG` writes one HTML letter. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/preview.py [YEAR SLUG] [--runs N]

Two figures: the whole command as a user runs it (Python start-up and imports included),
and the preview itself once started (prepare the year, render, write), first call and warm.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _whole_command(year: int, slug: str, out: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "lgo_letters", "preview", str(year), slug, "--out", str(out)],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - started)
    return times


def _after_start_up(year: int, slug: str, out: Path, runs: int) -> list[float]:
    sys.path.insert(0, str(REPO))
    from lgo_letters.commands.preview import run_preview
    from lgo_letters.project import Paths

    paths = Paths(REPO / "data", REPO / "templates", out)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = run_preview(paths, year, slug, False, False)
        times.append(time.perf_counter() - started)
        assert code == 0, f"preview {year} {slug} failed"
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("year", nargs="?", type=int, default=2020)
    parser.add_argument("slug", nargs="?", default="harborough")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as out:
        whole = _whole_command(args.year, args.slug, Path(out), args.runs)
        inside = _after_start_up(args.year, args.slug, Path(out), args.runs)
    print(f"preview {args.year} {args.slug} (HTML), {args.runs} runs")
    print(f"  whole command, start-up included: median {statistics.median(whole):.3f} s")
    print(f"  after start-up, first call:       {inside[0]:.3f} s")
    print(f"  after start-up, warm (median):    {statistics.median(inside[1:] or inside):.3f} s")


if __name__ == "__main__":
    main()
