"""How fast the figures are checked. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/checking.py [--councils 340] [--runs 3]

On a synthetic project of N councils in two years (tests/synthetic.py: the previous year
a copy of this one as 2020's format has it, every record valid; this year's figures then
imported from an N-row XLSX, so that provenance.yaml is full):
 (1) `lgo-letters import YEAR figures.xlsx` as a user runs it; target: under 3 s for 340;
 (2) `lgo-letters compare YEAR` as a user runs it; target: under 2 s for 340;
 (3) `lgo-letters trace YEAR SLUG` as a user runs it; target: under 1 s.
Wall time and CPU time (the command and its workers) of each, best and median: on a
shared machine the CPU time says more about the command than the wall time.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.exchange import _command  # noqa: E402
from lgo_letters.schema.loader import load_year_format  # noqa: E402
from lgo_letters.schema.models import CORE_FIELDS  # noqa: E402
from tests.helpers import PROJECT_DATA  # noqa: E402
from tests.synthetic import YEAR, make_project  # noqa: E402
from tests.synthetic_sheet import write_figures_xlsx, year_rows  # noqa: E402


def previous_year(root: Path) -> None:
    """data/<YEAR - 1>: this year's records with only the fields that year's format has
    (so that every one is valid and compared), and that year's year.yaml."""
    previous = YEAR - 1
    declared = load_year_format(root / "templates", previous).declared
    kept = CORE_FIELDS | set(declared.fields)
    source, target = root / "data" / str(YEAR), root / "data" / str(previous)
    (target / "councils").mkdir(parents=True)
    shutil.copy(PROJECT_DATA / str(previous) / "year.yaml", target / "year.yaml")
    for file in (source / "councils").glob("*.yaml"):
        record = yaml.safe_load(file.read_text(encoding="utf-8"))
        record = {k: v for k, v in record.items() if k in kept}
        text = yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=1000)
        (target / "councils" / file.name).write_text(text, encoding="utf-8")


def _show(label: str, wall: list[float], cpu: list[float]) -> None:
    print(
        f"{label:<44} wall best {min(wall):5.2f} s median {statistics.median(wall):5.2f} s"
        f"   CPU best {min(cpu):5.2f} s median {statistics.median(cpu):5.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=340)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    n = options.councils
    print(f"{n} councils, {os.cpu_count()} CPU(s), Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="lgo-bench-checking-") as folder:
        base = make_project(Path(folder) / "base", n)
        previous_year(base)
        figures = write_figures_xlsx(Path(folder) / "figures.xlsx", n, bump=1)
        slug = year_rows(1)[0][0]
        times: dict[str, tuple[list[float], list[float]]] = {}
        said: list[str] = []
        for run in range(options.runs):
            root = Path(folder) / f"run{run}"
            shutil.copytree(base, root)
            for label, args in (
                ("(0) lgo-letters --help: start-up alone", ["--help"]),
                (f"(1) import of a {n}-row XLSX", ["import", str(YEAR), str(figures)]),
                (f"(2) compare of {n} councils", ["compare", str(YEAR)]),
                ("(3) trace of one council", ["trace", str(YEAR), slug]),
            ):
                wall, cpu = times.setdefault(label, ([], []))
                wall.append(_command(*args, cwd=root, cpu=cpu, said=said))
        for label, (wall, cpu) in times.items():
            _show(label, wall, cpu)
        print("import said:", said[1])
        print("compare said:", said[2])
        print(f"load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
