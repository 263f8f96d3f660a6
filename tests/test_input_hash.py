"""A letter's input hash: its HTML and everything between HTML and PDF bytes, and nothing
else."""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

import pytest

import lgo_letters
from lgo_letters.hashing import file_sha256, sha256_bytes
from lgo_letters.inputs import engine_fingerprint, letter_input_hash
from lgo_letters.renderer.fonts import font_files


def test_sha256_of_text_is_that_of_its_utf8_bytes() -> None:
    assert sha256_bytes("Dacorum – 2020") == hashlib.sha256("Dacorum – 2020".encode()).hexdigest()
    assert sha256_bytes(b"") == hashlib.sha256(b"").hexdigest()


def test_file_sha256_is_none_for_what_cannot_be_read(tmp_path: Path) -> None:
    file = tmp_path / "letter.pdf"
    file.write_bytes(b"%PDF-")
    assert file_sha256(file) == hashlib.sha256(b"%PDF-").hexdigest()
    assert file_sha256(tmp_path / "missing.pdf") is None
    assert file_sha256(tmp_path) is None  # a folder


def test_the_engine_fingerprint_names_every_input_besides_the_html() -> None:
    fingerprint = engine_fingerprint()
    assert fingerprint["lgo-letters"] == lgo_letters.__version__
    for package in ("weasyprint", "pydyf", "fonttools", "pypdf"):
        assert fingerprint[package] == metadata.version(package)
    assert fingerprint["font-subsetter"] in ("harfbuzz", "fonttools")
    fonts = font_files()
    assert fonts
    for font in fonts:
        assert fingerprint[f"font:{font.name}"] == sha256_bytes(font.read_bytes())
    package = Path(lgo_letters.__file__).parent
    for source in ("renderer/pdf.py", "renderer/fonts.py", "layout/step.py"):
        assert fingerprint[f"source:{source}"] == sha256_bytes((package / source).read_bytes())


def test_the_same_html_gives_the_same_hash_and_any_change_another() -> None:
    html = sha256_bytes("<p>Dear Mrs Jolly</p>")
    assert letter_input_hash(html) == letter_input_hash(html)
    assert letter_input_hash(html) != letter_input_hash(sha256_bytes("<p>Dear Mr Proudfoot</p>"))


@pytest.mark.parametrize("item", ["weasyprint", "font-subsetter", "source:renderer/pdf.py"])
def test_a_change_in_the_engine_changes_every_letters_hash(item: str) -> None:
    html = sha256_bytes("<p>Dear Mrs Jolly</p>")
    before = letter_input_hash(html)
    assert letter_input_hash(html, engine_fingerprint()) == before
    changed = {**engine_fingerprint(), item: "something else"}
    assert letter_input_hash(html, changed) != before


def test_the_input_hash_is_the_one_every_manifest_so_far_records() -> None:
    # Manifests written before keep matching: a letter is not rebuilt for a new formula.
    html = sha256_bytes("<p>Dear Mrs Jolly</p>")
    inputs = {"html": html, "engine": engine_fingerprint()}
    assert letter_input_hash(html) == sha256_bytes(json.dumps(inputs, sort_keys=True))
