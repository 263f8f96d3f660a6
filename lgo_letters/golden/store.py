"""The golden files of one case, in data/<year>/golden/.

A council's brief record is one file, <slug>.txt: a first line `pdf sha256: <hex>`, a
blank line, then the letter's text, one sentence a line.

A full record (each edge case and each sample council) is a folder, <slug>/:

letter.html    the letter's normalised HTML
pdf-text.txt   the PDF's text, page by page
pdf.sha256     the PDF's sha256
page-N.png     a small greyscale picture of page N
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lgo_letters.output import write_atomic
from lgo_letters.schema.slugs import is_slug

HTML_FILE = "letter.html"
TEXT_FILE = "pdf-text.txt"
SHA_FILE = "pdf.sha256"
BRIEF_SUFFIX = ".txt"
_PAGE_FILE = re.compile(r"^page-(\d+)\.png$")
_BRIEF_SHA = re.compile(r"^pdf sha256: ([0-9a-f]{64})\n\n", re.ASCII)


def page_file(number: int) -> str:
    return f"page-{number}.png"


@dataclass(frozen=True)
class FullRecord:
    """A full record's files' contents, by file name."""

    files: dict[str, bytes]

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


@dataclass(frozen=True)
class BriefRecord:
    """A council's brief record: its letter's text and its PDF's sha256."""

    text: str
    pdf_sha256: str

    def content(self) -> bytes:
        return f"pdf sha256: {self.pdf_sha256}\n\n{self.text}".encode()

    @classmethod
    def parse(cls, content: bytes) -> BriefRecord:
        """The record in a file's bytes; a file not in the format keeps its text, with no
        sha256, so that it differs and shows why."""
        text = content.decode("utf-8", errors="replace")
        match = _BRIEF_SHA.match(text)
        if match is None:
            return cls(text, "")
        return cls(text[match.end() :], match.group(1))


def _managed(name: str) -> bool:
    return name in (HTML_FILE, TEXT_FILE, SHA_FILE) or bool(_PAGE_FILE.match(name))


def full_folder(golden_dir: Path, slug: str) -> Path:
    return golden_dir / slug


def brief_file(golden_dir: Path, slug: str) -> Path:
    return golden_dir / f"{slug}{BRIEF_SUFFIX}"


def read_full(folder: Path) -> FullRecord | None:
    """The case's full record, or None when it has none yet."""
    if not folder.is_dir():
        return None
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and _managed(p.name)}
    return FullRecord(files) if files else None


def read_brief(file: Path) -> BriefRecord | None:
    """The council's brief record, or None when it has none yet."""
    if not file.is_file():
        return None
    return BriefRecord.parse(file.read_bytes())


# Golden files are written without a disk sync each (a year has hundreds): the rename keeps
# each file whole, and git shows any damage a power cut could do.


def write_full(golden_dir: Path, slug: str, record: FullRecord) -> list[str]:
    """Make the case's folder hold exactly `record` (and remove a brief record it had);
    the names of the files written or removed."""
    folder = full_folder(golden_dir, slug)
    old = read_full(folder)
    old_files = old.files if old else {}
    changed = []
    for name, content in sorted(record.files.items()):
        if old_files.get(name) != content:
            write_atomic(folder / name, content, durable=False)
            changed.append(name)
    for name in sorted(set(old_files) - set(record.files)):
        (folder / name).unlink()
        changed.append(f"{name} (removed)")
    brief = brief_file(golden_dir, slug)
    if brief.is_file():
        brief.unlink()
        changed.append(f"{brief.name} (removed)")
    return changed


def write_brief(golden_dir: Path, slug: str, record: BriefRecord) -> list[str]:
    """Make the council's brief record `record` (and remove a full record it had); the
    names of the files written or removed."""
    file = brief_file(golden_dir, slug)
    changed = []
    content = record.content()
    if not file.is_file() or file.read_bytes() != content:
        write_atomic(file, content, durable=False)
        changed.append(file.name)
    if read_full(full_folder(golden_dir, slug)) is not None:
        _remove_full(golden_dir, slug)
        changed.append(f"{slug}/ (removed)")
    return changed


def _remove_full(golden_dir: Path, slug: str) -> None:
    """Remove the golden files of a full record, and its folder once empty."""
    folder = full_folder(golden_dir, slug)
    if folder.is_dir():
        for file in folder.iterdir():
            if file.is_file() and _managed(file.name):
                file.unlink()
        if not any(folder.iterdir()):
            folder.rmdir()


def remove_golden(golden_dir: Path, slug: str) -> None:
    """Remove every golden file of the case: its brief record and its full one."""
    brief_file(golden_dir, slug).unlink(missing_ok=True)
    _remove_full(golden_dir, slug)


def golden_slugs(golden_dir: Path, reserved: str) -> list[str]:
    """The slugs that have golden files in `golden_dir` (a brief or a full record), in
    order; `reserved` is the name of a folder there that is not a case's."""
    if not golden_dir.is_dir():
        return []
    slugs = set()
    for entry in golden_dir.iterdir():
        if entry.is_file() and entry.suffix == BRIEF_SUFFIX and is_slug(entry.stem):
            slugs.add(entry.stem)
        elif (
            entry.is_dir()
            and entry.name != reserved
            and is_slug(entry.name)
            and any(p.is_file() and _managed(p.name) for p in entry.iterdir())
        ):
            slugs.add(entry.name)
    return sorted(slugs)
