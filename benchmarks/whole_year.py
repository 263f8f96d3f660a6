"""Whole-year commands on a 340-council year and a 20,000-council year. Prints figures;
asserts nothing.

    .venv/bin/python benchmarks/whole_year.py [--councils 20000] [--small 340] [--runs 3]
                                              [--keep DIR]

Each command runs as a user would run it (`python -m lgo_letters ...`, a child process)
--runs times; the table shows the median wall-clock time, the median CPU time (user +
system) and the largest peak resident memory of those runs, beside the figures issue 25
measured before this work. On a machine other processes are using, the wall-clock time
measures them as much as the command: the CPU time and the memory are what to compare.

The years are tests/synthetic.py's (every authority type, a spread of figures, a third of
the councils with every optional paragraph of the 2021 format), each record with a GSS
code and two email addresses, as real records have. They are made once in a temporary
folder (or in --keep DIR, reused by later runs: making 20,000 records takes a while).

"everything up to date" needs every letter's PDF. Laying out 20,000 PDFs takes hours
(`make bench` measures PDFs), so after the HTML build each letter gets a stand-in: one
real letter's PDF, written as <slug>.pdf and recorded in the manifest as built from the
letter's input hash, exactly as a build records a PDF. The up-to-date build then does all
it does for a real year: it reads the records, knows every letter's inputs, and checks
every HTML and PDF on disk against the manifest.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lgo_letters.manifest import BuiltFile, Manifest  # noqa: E402
from lgo_letters.caches import cache_folder  # noqa: E402
from tests.helpers import PROJECT_DATA  # noqa: E402
from tests.synthetic import YEAR, council_record  # noqa: E402

# Issue 25's figures before this work: 2 cores, nothing else running, median of 3.
BEFORE = {
    "validate, cache cold": (0.48, 14.7, 3176),
    "validate, cache warm": (0.48, 14.7, 3176),
    "build --format html, nothing changed": (0.84, 37.8, 3277),
    "build, everything up to date": (0.89, 44.9, 3326),
    "status, cache warm": (0.94, 33.9, 3296),
    "export --to .csv": (0.62, 26.0, 3299),
}
TARGETS = {  # at the large year: seconds, MB
    "validate, cache cold": 15,
    "validate, cache warm": 5,
    "build --format html, nothing changed": 5,
    "build, everything up to date": 5,
    "status, cache warm": 3,
    "export --to .csv": 5,
}


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float  # user + system, of the command's process and its children
    peak_mb: float  # the largest resident set of the command's process


def run_command(root: Path, *args: str) -> Run:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "lgo_letters", *args],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode not in (0,):
        raise SystemExit(f"{' '.join(args)} failed ({process.returncode}): {errors.decode()}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def make_year(root: Path, councils: int) -> Path:
    """A project at `root` with `councils` synthetic records (kept if already there)."""
    councils_dir = root / "data" / str(YEAR) / "councils"
    if councils_dir.is_dir() and len(list(councils_dir.iterdir())) == councils:
        return root
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(REPO / "templates", root / "templates")
    councils_dir.mkdir(parents=True)
    shutil.copy(PROJECT_DATA / str(YEAR) / "year.yaml", councils_dir.parent / "year.yaml")
    import random

    rng = random.Random(YEAR)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    for index in range(councils):
        slug, record = council_record(index, rng)
        record["code"] = f"E{7_000_000 + index:08d}"
        record["email"] = [f"chief.executive@{slug}.gov.uk"]
        record["cc"] = [f"monitoring.officer@{slug}.gov.uk"]
        text = yaml.dump(record, Dumper=dumper, sort_keys=False, allow_unicode=True, width=1000)
        (councils_dir / f"{slug}.yaml").write_text(text, encoding="utf-8")
    return root


def stand_in_pdfs(root: Path) -> None:
    """Every letter built as HTML gets one real letter's PDF, recorded as its own."""
    out_dir = root / "output" / str(YEAR)
    manifest = Manifest.load(out_dir, YEAR)
    slugs = sorted(manifest.councils)
    if all((out_dir / f"{slug}.pdf").is_file() for slug in slugs):
        return
    first = slugs[0]
    subprocess.run(
        [sys.executable, "-m", "lgo_letters", "build", str(YEAR), "--only", first],
        cwd=root,
        check=True,
        capture_output=True,
    )
    manifest = Manifest.load(out_dir, YEAR)
    sample = manifest.file(first, f"{first}.pdf")
    assert sample is not None
    data = (out_dir / f"{first}.pdf").read_bytes()
    recorded = []
    for slug in slugs:
        html = manifest.file(slug, f"{slug}.html")
        assert html is not None
        target = out_dir / f"{slug}.pdf"
        if slug != first:
            target.write_bytes(data)
        entry = BuiltFile(
            input=html.input, sha256=sample.sha256, bytes=len(data), pages=sample.pages
        )
        recorded.append((slug, manifest.councils[slug].name, target, entry))
    manifest.recording_all(recorded).write()


def measure(root: Path, runs: int) -> dict[str, list[Run]]:
    year = str(YEAR)
    results: dict[str, list[Run]] = {name: [] for name in BEFORE}
    caches = cache_folder(root / "output", YEAR)
    run_command(root, "build", year, "--format", "html")  # the HTML, once
    stand_in_pdfs(root)
    run_command(root, "build", year)  # learns what the stand-ins are
    run_command(root, "status", year)  # fills status's caches
    for _ in range(runs):
        (caches / "records.json").unlink(missing_ok=True)
        results["validate, cache cold"].append(run_command(root, "validate", year))
        results["validate, cache warm"].append(run_command(root, "validate", year))
        results["build --format html, nothing changed"].append(
            run_command(root, "build", year, "--format", "html")
        )
        results["build, everything up to date"].append(run_command(root, "build", year))
        results["status, cache warm"].append(run_command(root, "status", year))
        export = root / "export.csv"
        results["export --to .csv"].append(run_command(root, "export", year, "--to", str(export)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=340)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="make (or reuse) the years in this folder")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        base = options.keep or Path(scratch)
        sizes = (options.small, options.councils)
        results = {}
        for councils in sizes:
            root = make_year(base / f"year-{councils}", councils)
            results[councils] = measure(root, options.runs)
    load = os.getloadavg()
    print(
        f"{os.cpu_count()} CPU cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; "
        f"median of {options.runs} runs (peak memory: the largest)"
    )
    small, large = sizes
    print(
        f"| command | {small}: wall | {small}: CPU | {large}: wall | {large}: CPU | "
        f"{large}: peak memory | before ({small} / {large} / memory) | target at {large} |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for name, (before_small, before_large, before_mb) in BEFORE.items():
        first, second = results[small][name], results[large][name]
        print(
            f"| {name} | {_median(first, 'wall')} | {_median(first, 'cpu')} | "
            f"{_median(second, 'wall')} | {_median(second, 'cpu')} | "
            f"{max(r.peak_mb for r in second):,.0f} MB | "
            f"{before_small} s / {before_large} s / {before_mb:,} MB | "
            f"< {TARGETS[name]} s, < 500 MB |"
        )


def _median(runs: list[Run], what: str) -> str:
    return f"{statistics.median(getattr(r, what) for r in runs):.2f} s"


if __name__ == "__main__":
    main()
