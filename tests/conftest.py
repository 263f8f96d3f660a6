from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = FIXTURES / "seeds"

# slug → (year, seed file)
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


@pytest.fixture(scope="session")
def built_letters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled years, built once with the real command into a temporary folder."""
    out = tmp_path_factory.mktemp("output")
    for year in (2020, 2021):
        result = run_cli("build", str(year), "--out", str(out))
        assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the bundled data and templates that a test may change."""
    for folder in ("data", "templates"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


@pytest.fixture
def live_server(project: Path):
    """`lgo-letters serve 2020` on a free port over the `project` copy; always shut down."""
    from lgo_letters.project import Paths
    from lgo_letters.serve import serving

    paths = Paths(project / "data", project / "templates", project / "output")
    with serving(paths, 2020, port=0) as live:
        yield live


LONG_NAMES_RECORD = FIXTURES / "long-names" / "long-names.yaml"


@pytest.fixture(scope="session")
def long_names_letters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The long-names stress record built in both years' formats: <out>/<year>/long-names.*"""
    root = tmp_path_factory.mktemp("long-names")
    for folder in ("data", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    for year in (2020, 2021):
        shutil.copy(LONG_NAMES_RECORD, root / "data" / str(year) / "councils")
        result = run_cli(
            "build",
            str(year),
            "--only",
            "long-names",
            "--data",
            str(root / "data"),
            "--templates",
            str(root / "templates"),
            "--out",
            str(root / "out"),
        )
        assert result.returncode == 0, result.stderr
    return root / "out"


@pytest.fixture(scope="session")
def release_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Made-up councils with their letters built once (see tests/release.py)."""
    from tests.release import make_release_project

    return make_release_project(tmp_path_factory.mktemp("release-built"))


@pytest.fixture
def release_project(release_built: Path, tmp_path: Path) -> Path:
    """A copy of release_built that a test may change (approve, send, edit records)."""
    root = tmp_path / "release"
    shutil.copytree(release_built, root, symlinks=True)
    return root
