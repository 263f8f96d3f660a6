"""Checks on a build's output folder shared by the build tests."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pypdf

SUMMARY = re.compile(r"(\d+) letter\(s\) built, (\d+) failed, (\d+) unchanged")


def counts(stderr: str) -> tuple[int, int, int]:
    """(built, unchanged, failed) from a build's summary line."""
    match = SUMMARY.search(stderr)
    assert match, stderr
    built, failed, unchanged = map(int, match.groups())
    return built, unchanged, failed


def manifest(out_year: Path) -> dict:
    return json.loads((out_year / "manifest.json").read_text(encoding="utf-8"))


def assert_consistent(out_year: Path) -> dict:
    """No temporary leftovers, every PDF complete, every file the manifest names on disk
    with the recorded sha256 and page count. Returns the manifest."""
    assert not list(out_year.glob(".*.tmp")), "a temporary file was left behind"
    for pdf in out_year.glob("*.pdf"):
        assert len(pypdf.PdfReader(pdf, strict=True).pages) > 0, pdf
    data = manifest(out_year)
    for slug, entry in data["councils"].items():
        for name, facts in entry["files"].items():
            file = out_year / name
            assert file.is_file(), f"{slug}: manifest names missing {name}"
            assert hashlib.sha256(file.read_bytes()).hexdigest() == facts["sha256"], name
            if name.endswith(".pdf"):
                assert len(pypdf.PdfReader(file).pages) == facts["pages"], name
    return data
