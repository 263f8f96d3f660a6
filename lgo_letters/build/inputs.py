"""What a letter's output depends on, reduced to one content hash.

The HTML of a letter is self-contained: the record, the year's file, the pooled averages,
every template, the CSS and every image (as data URIs) are in it. So a letter's input hash
is the hash of its rendered HTML plus what turns HTML into PDF: the font files, the
subsetter, the versions of the packages and the source of the PDF-writing code.
"""

from __future__ import annotations

import ctypes.util
import functools
import hashlib
import json
from importlib import metadata
from pathlib import Path

from lgo_letters import __version__
from lgo_letters.renderer.fonts import font_files

_PACKAGE = Path(__file__).resolve().parents[1]
# The code between HTML and PDF bytes: a change here must rebuild every PDF.
_ENGINE_SOURCES = ("renderer/pdf.py", "renderer/fonts.py", "build/worker.py")
_PINNED_PACKAGES = ("weasyprint", "pydyf", "fonttools", "pypdf")


def sha256_bytes(data: bytes | str) -> str:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(payload).hexdigest()


def file_sha256(path: Path) -> str | None:
    """The file's sha256, or None when it cannot be read (missing, a folder...)."""
    try:
        return sha256_bytes(path.read_bytes())
    except OSError:
        return None


@functools.cache
def harfbuzz_subset_available() -> bool:
    """Whether libharfbuzz-subset can be loaded, so WeasyPrint subsets fonts with it rather
    than with fontTools. Looked up as WeasyPrint does (by library name), without importing
    WeasyPrint, which would cost this process a second."""
    return ctypes.util.find_library("harfbuzz-subset") is not None


@functools.cache
def engine_fingerprint() -> dict[str, str]:
    """Everything besides the HTML that decides the bytes of a PDF."""
    fingerprint = {"lgo-letters": __version__}
    for package in _PINNED_PACKAGES:
        fingerprint[package] = metadata.version(package)
    fingerprint["font-subsetter"] = "harfbuzz" if harfbuzz_subset_available() else "fonttools"
    for font in font_files():
        fingerprint[f"font:{font.name}"] = sha256_bytes(font.read_bytes())
    for source in _ENGINE_SOURCES:
        fingerprint[f"source:{source}"] = sha256_bytes((_PACKAGE / source).read_bytes())
    return fingerprint


def letter_input_hash(html_sha256: str) -> str:
    """The content hash of everything one letter's PDF is made from, given its HTML's."""
    inputs = {"html": html_sha256, "engine": engine_fingerprint()}
    return sha256_bytes(json.dumps(inputs, sort_keys=True))
