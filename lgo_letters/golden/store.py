"""The golden files of one case, in tests/golden/<year>/<slug>/.

letter.html    the letter's normalised HTML
pdf-text.txt   the PDF's text, page by page
pdf.sha256     the PDF's sha256
page-N.png     a small greyscale picture of page N
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lgo_letters.golden.rendering import Rendering
from lgo_letters.output import write_atomic

HTML_FILE = "letter.html"
TEXT_FILE = "pdf-text.txt"
SHA_FILE = "pdf.sha256"
_PAGE_FILE = re.compile(r"^page-(\d+)\.png$")


def page_file(number: int) -> str:
    return f"page-{number}.png"


@dataclass(frozen=True)
class GoldenRecord:
    """The golden files' contents, by file name."""

    files: dict[str, bytes]

    @classmethod
    def of(cls, rendering: Rendering) -> GoldenRecord:
        files = {
            HTML_FILE: rendering.html.encode("utf-8"),
            TEXT_FILE: rendering.pdf_text.encode("utf-8"),
            SHA_FILE: f"{rendering.pdf_sha256}\n".encode("ascii"),
        }
        for number, png in enumerate(rendering.page_pngs, start=1):
            files[page_file(number)] = png
        return cls(files)

    @property
    def html(self) -> str:
        return self.files.get(HTML_FILE, b"").decode("utf-8")

    @property
    def pdf_text(self) -> str:
        return self.files.get(TEXT_FILE, b"").decode("utf-8")

    @property
    def pdf_sha256(self) -> str:
        return self.files.get(SHA_FILE, b"").decode("ascii").strip()

    @property
    def page_pngs(self) -> list[bytes | None]:
        """Pages 1 to the last one kept; None for a page whose file is missing."""
        numbers = [int(m.group(1)) for name in self.files if (m := _PAGE_FILE.match(name))]
        return [self.files.get(page_file(n)) for n in range(1, max(numbers, default=0) + 1)]

    @property
    def complete(self) -> bool:
        """Every file is there, so a matching sha256 stands for matching text and pages."""
        pages = self.page_pngs
        return {HTML_FILE, TEXT_FILE, SHA_FILE} <= set(self.files) and bool(pages) and all(pages)


def _managed(name: str) -> bool:
    return name in (HTML_FILE, TEXT_FILE, SHA_FILE) or bool(_PAGE_FILE.match(name))


def read_golden(folder: Path) -> GoldenRecord | None:
    """The case's golden files, or None when it has none yet."""
    if not folder.is_dir():
        return None
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and _managed(p.name)}
    return GoldenRecord(files) if files else None


def write_golden(folder: Path, record: GoldenRecord) -> list[str]:
    """Make the folder hold exactly `record`; the names of the files written or removed."""
    old = read_golden(folder)
    old_files = old.files if old else {}
    changed = []
    for name, content in sorted(record.files.items()):
        if old_files.get(name) != content:
            write_atomic(folder / name, content)
            changed.append(name)
    for name in sorted(set(old_files) - set(record.files)):
        (folder / name).unlink()
        changed.append(f"{name} (removed)")
    return changed


def golden_names(golden_dir: Path, years: list[int]) -> list[str]:
    """The <year>/<slug> names that have golden folders, for the given years."""
    names = []
    for year in years:
        year_dir = golden_dir / str(year)
        if year_dir.is_dir():
            names.extend(f"{year}/{p.name}" for p in sorted(year_dir.iterdir()) if p.is_dir())
    return names
