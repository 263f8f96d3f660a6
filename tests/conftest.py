"""Fixtures shared by the tests. Helpers live in tests/helpers.py and tests/records.py:
test modules import from those, never from here."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser import CHROMIUM, LAUNCH_ARGS, why_no_browser
from tests.helpers import LONG_NAMES_RECORD, REPO, bundled_years, run_cli
from tests.outside_tools import require
from tests.projects import make_project

# Fixtures that build whole years with the real command, in child processes: a test that
# uses one is slow whatever it does itself, so it is marked so here (`make test-fast`
# leaves it out) rather than in every module that uses them.
BUILDING_FIXTURES = {
    "built_letters",
    "long_names_letters",
    "built_2020",
    "hostile_letter",
    "golden_project",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BUILDING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


# The fast tier never reads the bundled data/: it is the user's project (a new year, new
# councils, records without figures right after `new-year`), not the tests'. Only the tests
# of the bundled letters themselves read it, and they are marked slow. Enforced here: while
# a test that is not slow runs (its fixtures' set-up included), opening or listing anything
# under data/ fails it.
_BUNDLED_DATA = str(REPO / "data")
_READS = {"open", "os.listdir", "os.scandir"}
_guarded: list[str] = []  # the test being guarded, while it runs
_bundled_reads: list[str] = []


def _refuse_bundled_data(event: str, args: tuple) -> None:
    if not _guarded or event not in _READS or not args or isinstance(args[0], int):
        return
    try:
        path = os.path.abspath(os.fsdecode(args[0] if args[0] is not None else "."))
    except (TypeError, ValueError):
        return
    if path == _BUNDLED_DATA or path.startswith(_BUNDLED_DATA + os.sep):
        _bundled_reads.append(path)
        raise AssertionError(
            f"{_guarded[0]} is in the fast tier but read the bundled {path}: use the tests' "
            "own records (tests/fixtures/project), or mark it @pytest.mark.slow"
        )


sys.addaudithook(_refuse_bundled_data)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    fast = item.get_closest_marker("slow") is None
    if fast:
        _guarded.append(item.nodeid)
    try:
        yield
    finally:
        _guarded.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A read of data/ that the code under test caught and hid still fails the test."""
    outcome = yield
    report = outcome.get_result()
    if _bundled_reads:
        if report.passed:
            report.outcome = "failed"
            report.longrepr = f"the fast tier read the bundled data/: {_bundled_reads[0]}"
        _bundled_reads.clear()


@pytest.fixture(scope="session")
def built_letters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every bundled year, built once with the real command into a temporary folder."""
    out = tmp_path_factory.mktemp("output")
    for year in bundled_years():
        result = run_cli("build", str(year), "--out", str(out))
        assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def new_project(tmp_path: Path) -> Callable[..., Path]:
    """Makes project copies in this test's temporary folder: new_project(name, **options)
    is tests/projects.make_project(tmp_path / name, **options) (no name: tmp_path itself)."""

    def new(name: str = "", **options: Any) -> Path:
        return make_project(tmp_path / name if name else tmp_path, **options)

    return new


@pytest.fixture
def project(new_project: Callable[..., Path]) -> Path:
    """The tests' own records (tests/fixtures/project/data) and the real templates, in a
    temporary folder a test may change."""
    return new_project()


@pytest.fixture
def in_project(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary copy of data/ and templates/, made the working folder, so problems are
    printed with paths like data/2021/councils/dartford.yaml as a user sees them."""
    monkeypatch.chdir(project)
    return project


@pytest.fixture
def live_server(project: Path):
    """`lgo-letters serve 2020` on a free port over the `project` copy; always shut down."""
    from lgo_letters.project import Paths
    from lgo_letters.serve import serving

    paths = Paths(project / "data", project / "templates", project / "output")
    with serving(paths, 2020, port=0) as live:
        yield live


@pytest.fixture(scope="session")
def long_names_letters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The long-names stress record built in the 2020 and 2021 formats:
    <out>/<year>/long-names.*"""
    root = make_project(tmp_path_factory.mktemp("long-names"))
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


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright (tests/browser.py), launched once: skipped with a
    reason where it is missing, a failure in CI."""
    require(why_no_browser())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
