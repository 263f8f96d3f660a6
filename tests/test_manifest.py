"""The build's manifest (output/<year>/manifest.json), on its own: what it records, when a
file counts as up to date, and what it makes of a manifest it cannot use."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from lgo_letters.manifest import (
    FORMAT_VERSION,
    MANIFEST,
    BuiltFile,
    CombinedEntry,
    CouncilEntry,
    Manifest,
)

HASH_A = "a" * 64
HASH_B = "b" * 64


def written(folder: Path, name: str, data: bytes) -> tuple[Path, str]:
    file = folder / name
    file.write_bytes(data)
    return file, hashlib.sha256(data).hexdigest()


def test_what_is_recorded_is_what_a_later_build_loads(tmp_path: Path) -> None:
    pdf, pdf_sha = written(tmp_path, "dacorum.pdf", b"%PDF- dacorum")
    html, html_sha = written(tmp_path, "dacorum.html", b"<html>dacorum</html>")
    html_entry = BuiltFile(input=HASH_A, sha256=html_sha, bytes=20)
    pdf_entry = BuiltFile(input=HASH_A, sha256=pdf_sha, bytes=13, pages=3)
    combined = CombinedEntry(
        file="_all-letters-2020.pdf", input=HASH_A, sha256=HASH_B, pages=3, letters={}
    )
    manifest = (
        Manifest(tmp_path / MANIFEST, 2020, engine={"weasyprint": "70.0"})
        .recording("dacorum", "Dacorum Borough Council", html, html_entry)
        .recording("dacorum", "Dacorum Borough Council", pdf, pdf_entry)
        .with_combined(combined)
    )
    manifest.write()

    loaded = Manifest.load(tmp_path, 2020)
    assert loaded.damage == ""
    assert loaded.councils == {
        "dacorum": CouncilEntry(
            name="Dacorum Borough Council",
            input=HASH_A,
            files={"dacorum.html": html_entry, "dacorum.pdf": pdf_entry},
        )
    }
    assert loaded.combined == combined
    assert loaded.file("dacorum", "dacorum.pdf") == pdf_entry
    assert loaded.file("dacorum", "dacorum.odt") is None
    assert loaded.files_of("dacorum") == ["dacorum.html", "dacorum.pdf"]
    assert loaded.up_to_date("dacorum", pdf, HASH_A)
    assert json.loads((tmp_path / MANIFEST).read_text())["engine"] == {"weasyprint": "70.0"}
    assert not list(tmp_path.glob(".*.tmp")), "write() left a temporary file"


# A manifest as the build wrote them before its entries were typed (same format version):
# it must load, and be written again byte for byte the same.
_A, _B, _C = "a" * 64, "b" * 64, "c" * 64
EARLIER_MANIFEST = (
    "{\n"
    ' "format": 1,\n'
    ' "year": 2021,\n'
    ' "engine": {\n'
    '  "lgo-letters": "1.0",\n'
    '  "weasyprint": "66.0"\n'
    " },\n"
    ' "councils": {\n'
    f'  "ashby": {{"name": "Ashby District Council", "files": {{"ashby.html": {{"input": "{_A}", '
    f'"sha256": "{_B}", "bytes": 1200}}, "ashby.pdf": {{"input": "{_A}", "sha256": "{_C}", '
    f'"bytes": 45000, "pages": 3}}}}, "input": "{_A}"}},\n'
    f'  "barnfield": {{"name": "Barnfield Borough Council", "files": {{"barnfield.html": '
    f'{{"input": "{_B}", "sha256": "{_A}", "bytes": 1300}}}}, "input": "{_B}"}}\n'
    " },\n"
    f' "combined": {{"file": "_all-letters-2021.pdf", "input": "{_A}", "sha256": "{_B}", '
    f'"pages": 3, "letters": {{"ashby": "{_C}"}}, "drafts_left_out": ["barnfield"]}}\n'
    "}\n"
)


def test_a_manifest_written_before_the_typed_entries_loads_and_is_kept_as_it_was(
    tmp_path: Path,
) -> None:
    (tmp_path / MANIFEST).write_text(EARLIER_MANIFEST, encoding="utf-8")
    loaded = Manifest.load(tmp_path, 2021)
    assert loaded.damage == ""
    assert loaded.file("ashby", "ashby.pdf") == BuiltFile(input=_A, sha256=_C, bytes=45000, pages=3)
    assert loaded.councils["barnfield"].input == _B
    assert loaded.combined is not None and loaded.combined.letters == {"ashby": _C}
    assert loaded.combined.drafts_left_out == ["barnfield"]
    assert loaded.to_json() == EARLIER_MANIFEST
    # Re-recording a file as it was changes nothing on disk.
    again = loaded.recording(
        "ashby",
        "Ashby District Council",
        tmp_path / "ashby.html",
        BuiltFile(input=_A, sha256=_B, bytes=1200),
    )
    assert again.to_json() == EARLIER_MANIFEST


def test_a_combined_pdf_made_before_the_manifest_named_its_letters_still_loads(
    tmp_path: Path,
) -> None:
    data = json.loads(EARLIER_MANIFEST)
    data["combined"] = {"file": "_all-letters-2021.pdf", "input": _A, "sha256": _B, "pages": 3}
    (tmp_path / MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    loaded = Manifest.load(tmp_path, 2021)
    assert loaded.damage == ""
    assert loaded.combined is not None
    assert (loaded.combined.letters, loaded.combined.drafts_left_out) == (None, None)
    assert json.loads(loaded.to_json())["combined"] == data["combined"]


def test_one_council_a_line_in_slug_order(tmp_path: Path) -> None:
    manifest = Manifest(tmp_path / MANIFEST, 2021)
    for slug in ("worcester", "ashfield", "harborough"):
        pdf = BuiltFile(input=HASH_A, sha256=HASH_B)
        manifest = manifest.recording(slug, slug.title(), tmp_path / f"{slug}.pdf", pdf)
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
    manifest = Manifest(tmp_path / MANIFEST, 2020).recording(
        "harborough", "Harborough", pdf, BuiltFile(input=HASH_A, sha256=sha)
    )
    assert manifest.up_to_date("harborough", pdf, HASH_A)
    assert not manifest.up_to_date("harborough", pdf, HASH_B)  # its inputs changed
    assert not manifest.up_to_date("dacorum", tmp_path / "dacorum.pdf", HASH_A)  # never built
    pdf.write_bytes(b"%PDF- altered on disk")
    assert not manifest.up_to_date("harborough", pdf, HASH_A)
    pdf.unlink()
    assert not manifest.up_to_date("harborough", pdf, HASH_A)


def test_recording_a_new_input_replaces_the_old_and_forgetting_drops_the_council(
    tmp_path: Path,
) -> None:
    empty = Manifest(tmp_path / MANIFEST, 2020)
    manifest = empty.recording(
        "ashfield", "Ashfield DC", tmp_path / "ashfield.pdf", BuiltFile(input=HASH_A, sha256=HASH_A)
    ).recording(
        "ashfield",
        "Ashfield District Council",
        tmp_path / "ashfield.html",
        BuiltFile(input=HASH_B, sha256=HASH_B),
    )
    entry = manifest.councils["ashfield"]
    assert (entry.name, entry.input) == ("Ashfield District Council", HASH_B)
    assert manifest.files_of("ashfield") == ["ashfield.html", "ashfield.pdf"]
    assert empty.councils == {}, "recording returns a new manifest; it changes no other"
    forgotten = manifest.forgetting("ashfield").forgetting("never-there")
    assert forgotten.councils == {}
    assert forgotten.files_of("ashfield") == []
    assert manifest.files_of("ashfield") == ["ashfield.html", "ashfield.pdf"]


def test_an_unchanged_manifest_is_not_written_again(tmp_path: Path) -> None:
    manifest = Manifest(tmp_path / MANIFEST, 2020).recording(
        "ashfield", "Ashfield", tmp_path / "ashfield.pdf", BuiltFile(input=HASH_A, sha256=HASH_A)
    )
    written_once = manifest.write()
    (tmp_path / MANIFEST).unlink()
    assert written_once.write() is written_once
    assert not (tmp_path / MANIFEST).exists(), "the same manifest was written twice"
    assert Manifest.load(tmp_path, 2020).councils == {}


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
        json.dumps({"format": FORMAT_VERSION, "year": 2020, "councils": {"x": None}}),
        json.dumps(
            {
                "format": FORMAT_VERSION,
                "year": 2020,
                "councils": {"x": {"name": "X", "files": {"x.pdf": {"input": "i", "sha256": "1"}}}},
            }
        ),
        json.dumps({"format": FORMAT_VERSION, "year": 2020, "councils": {}, "combined": [1]}),
    ],
    ids=[
        "missing",
        "empty",
        "not-json",
        "a-list",
        "no-councils",
        "newer",
        "other-year",
        "bad",
        "null-entry",
        "not-a-sha256",
        "bad-combined",
    ],
)
def test_a_manifest_it_cannot_use_is_an_empty_one(tmp_path: Path, content: str | None) -> None:
    if content is not None:
        (tmp_path / MANIFEST).write_text(content, encoding="utf-8")
    loaded = Manifest.load(tmp_path, 2020)
    assert (loaded.councils, loaded.combined, loaded.year) == ({}, None, 2020)
    assert loaded.path == tmp_path / MANIFEST
    assert bool(loaded.damage) == (content is not None), loaded.damage
