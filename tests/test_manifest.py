"""The build's manifest (output/<year>/manifest.json), on its own: what it records, when a
file counts as up to date, and what it makes of a manifest it cannot use."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from lgo_letters.build.manifest import FORMAT_VERSION, MANIFEST, Manifest

HASH_A = "a" * 64
HASH_B = "b" * 64


def written(folder: Path, name: str, data: bytes) -> tuple[Path, str]:
    file = folder / name
    file.write_bytes(data)
    return file, hashlib.sha256(data).hexdigest()


def test_what_is_recorded_is_what_a_later_build_loads(tmp_path: Path) -> None:
    pdf, pdf_sha = written(tmp_path, "dacorum.pdf", b"%PDF- dacorum")
    html, html_sha = written(tmp_path, "dacorum.html", b"<html>dacorum</html>")
    manifest = Manifest(tmp_path / MANIFEST, 2020, engine={"weasyprint": "70.0"})
    manifest.record("dacorum", "Dacorum Borough Council", HASH_A, html, sha256=html_sha, size=20)
    manifest.record("dacorum", "Dacorum Borough Council", HASH_A, pdf, sha256=pdf_sha, pages=3)
    manifest.combined = {"file": "_all-letters-2020.pdf", "sha256": HASH_B}
    manifest.write()

    loaded = Manifest.load(tmp_path, 2020)
    assert loaded.councils == {
        "dacorum": {
            "name": "Dacorum Borough Council",
            "input": HASH_A,
            "files": {
                "dacorum.html": {"input": HASH_A, "sha256": html_sha, "size": 20},
                "dacorum.pdf": {"input": HASH_A, "sha256": pdf_sha, "pages": 3},
            },
        }
    }
    assert loaded.combined == manifest.combined
    assert loaded.files_of("dacorum") == ["dacorum.html", "dacorum.pdf"]
    assert loaded.up_to_date("dacorum", pdf, HASH_A)
    assert json.loads((tmp_path / MANIFEST).read_text())["engine"] == {"weasyprint": "70.0"}
    assert not list(tmp_path.glob(".*.tmp")), "write() left a temporary file"


def test_one_council_a_line_in_slug_order(tmp_path: Path) -> None:
    manifest = Manifest(tmp_path / MANIFEST, 2021)
    for slug in ("worcester", "ashfield", "harborough"):
        manifest.record(slug, slug.title(), HASH_A, tmp_path / f"{slug}.pdf", sha256=HASH_B)
    lines = manifest.to_json().splitlines()
    start = lines.index(' "councils": {') + 1
    councils = lines[start : start + 3]
    assert [json.loads("{" + line.rstrip(",") + "}").popitem()[0] for line in councils] == [
        "ashfield",
        "harborough",
        "worcester",
    ]
    assert lines[start + 3] == " },"
    assert json.loads(manifest.to_json())["format"] == FORMAT_VERSION


def test_up_to_date_only_when_both_the_input_and_the_file_match(tmp_path: Path) -> None:
    pdf, sha = written(tmp_path, "harborough.pdf", b"%PDF- one")
    manifest = Manifest(tmp_path / MANIFEST, 2020)
    manifest.record("harborough", "Harborough", HASH_A, pdf, sha256=sha)
    assert manifest.up_to_date("harborough", pdf, HASH_A)
    assert not manifest.up_to_date("harborough", pdf, HASH_B)  # its inputs changed
    assert not manifest.up_to_date("dacorum", tmp_path / "dacorum.pdf", HASH_A)  # never built
    pdf.write_bytes(b"%PDF- altered on disk")
    assert not manifest.up_to_date("harborough", pdf, HASH_A)
    pdf.unlink()
    assert not manifest.up_to_date("harborough", pdf, HASH_A)


def test_recording_a_new_input_replaces_the_old_and_forget_drops_the_council(
    tmp_path: Path,
) -> None:
    manifest = Manifest(tmp_path / MANIFEST, 2020)
    manifest.record("ashfield", "Ashfield DC", HASH_A, tmp_path / "ashfield.pdf", sha256=HASH_A)
    manifest.record("ashfield", "Ashfield District Council", HASH_B, tmp_path / "ashfield.html")
    entry = manifest.councils["ashfield"]
    assert (entry["name"], entry["input"]) == ("Ashfield District Council", HASH_B)
    assert manifest.files_of("ashfield") == ["ashfield.html", "ashfield.pdf"]
    manifest.forget("ashfield")
    manifest.forget("never-there")
    assert manifest.councils == {}
    assert manifest.files_of("ashfield") == []


@pytest.mark.parametrize(
    "content",
    [
        None,  # no manifest yet
        "",
        "{not json",
        "[]",
        '{"format": 1, "year": 2020}',  # no councils
        json.dumps({"format": FORMAT_VERSION + 1, "year": 2020, "councils": {}}),
        json.dumps({"format": FORMAT_VERSION, "year": 2019, "councils": {"x": {}}}),
        json.dumps({"format": FORMAT_VERSION, "year": 2020, "councils": []}),
    ],
    ids=["missing", "empty", "not-json", "a-list", "no-councils", "newer", "other-year", "bad"],
)
def test_a_manifest_it_cannot_use_is_an_empty_one(tmp_path: Path, content: str | None) -> None:
    if content is not None:
        (tmp_path / MANIFEST).write_text(content, encoding="utf-8")
    loaded = Manifest.load(tmp_path, 2020)
    assert (loaded.councils, loaded.combined, loaded.year) == ({}, None, 2020)
    assert loaded.path == tmp_path / MANIFEST
