"""Where the tests find things, and the real command run as a user runs it.

Shared by the test modules and conftest.py (test modules import from here, never from
conftest). Nothing here reads the bundled data/ except `bundled_years`, for the tests that
check the bundled letters themselves.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = FIXTURES / "seeds"
# The tests' own records (see fixtures/project/README.md), copied by tests/projects.py.
PROJECT_DATA = FIXTURES / "project" / "data"
LONG_NAMES_RECORD = FIXTURES / "long-names" / "long-names.yaml"

# The real letters the bundled records reproduce: slug → (year, seed file).
SEED_LETTERS = {
    "dacorum": (2020, "000_9fd0e48309ee3ddf.txt"),
    "ashfield": (2020, "001_93a2751bcc8bc2f0.txt"),
    "dartford": (2021, "002_5391ab4f785c3489.txt"),
    "worcester": (2020, "003_06c237596ecb18c6.txt"),
    "harborough": (2020, "004_2aada139a3425445.txt"),
}


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run the real `lgo-letters` command as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "lgo_letters", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def bundled_years() -> list[int]:
    """The years in the real data/ folder, for tests of the bundled letters (none if there
    is no data/: such tests are then not collected, rather than failing collection)."""
    data = REPO / "data"
    return sorted(int(p.name) for p in data.iterdir() if p.name.isdigit()) if data.is_dir() else []


def bundled_councils(year: int) -> list[str]:
    """The slugs of the real data/<year>/councils/, for tests of the bundled letters."""
    return sorted(p.stem for p in (REPO / "data" / str(year) / "councils").glob("*.yaml"))


def year_without_templates(project: Path) -> int:
    """A year after every year that `project`'s templates/ has a letter format for."""
    return 1 + max(int(p.name) for p in (project / "templates").iterdir() if p.name.isdigit())


def descendants(pid: int) -> dict[int, int]:
    """The processes below `pid`, each with its parent's id, read from /proc (a build's
    workers are its fork server's children, so its grandchildren)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):  # gone meanwhile
            continue
    found: dict[int, int] = {}
    frontier = [pid]
    while frontier:
        above = frontier.pop()
        children = [child for child, parent in parents.items() if parent == above]
        found.update(dict.fromkeys(children, above))
        frontier.extend(children)
    return found
