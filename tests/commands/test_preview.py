"""`lgo-letters preview` stays the quick path: HTML without loading WeasyPrint; --open."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Slow: each test runs `lgo-letters preview` in a child process, to see what it imports.
pytestmark = pytest.mark.slow


_PREVIEW_THEN_REPORT_WEASYPRINT = """
import runpy, sys
sys.argv = ["lgo-letters", *sys.argv[1:]]
try:
    runpy.run_module("lgo_letters", run_name="__main__")
except SystemExit as done:
    assert done.code == 0, done.code
print("weasyprint loaded:", "weasyprint" in sys.modules)
"""


def _preview(
    project: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _PREVIEW_THEN_REPORT_WEASYPRINT, "preview", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_html_preview_does_not_load_weasyprint(project: Path, tmp_path: Path) -> None:
    result = _preview(project, "2020", "harborough", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    written = tmp_path / "2020" / "harborough.html"
    assert result.stdout.splitlines() == [str(written), "weasyprint loaded: False"]
    assert "Harborough District Council" in written.read_text(encoding="utf-8")


def test_pdf_preview_writes_both(project: Path, tmp_path: Path) -> None:
    result = _preview(project, "2020", "harborough", "--pdf", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        str(tmp_path / "2020" / "harborough.html"),
        str(tmp_path / "2020" / "harborough.pdf"),
    ]
    assert (tmp_path / "2020" / "harborough.pdf").read_bytes().startswith(b"%PDF-")


def test_open_shows_the_letter_in_the_default_browser(project: Path, tmp_path: Path) -> None:
    # $BROWSER names the program Python's webbrowser runs; this one records the address.
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\nprintf "%s" "$1" > "{opened}"\n', encoding="utf-8")
    browser.chmod(0o755)
    result = _preview(
        project,
        "2021",
        "dartford",
        "--open",
        "--out",
        str(tmp_path / "out"),
        env={**os.environ, "BROWSER": str(browser)},
    )
    assert result.returncode == 0, result.stderr
    written = tmp_path / "out" / "2021" / "dartford.html"
    assert opened.read_text(encoding="utf-8") == written.resolve().as_uri()
