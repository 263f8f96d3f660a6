"""One case against its golden files: what differs, said so a reviewer can see it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from lgo_letters.golden.pixels import PageChange, compare_pages
from lgo_letters.golden.rendering import Rendering
from lgo_letters.golden.store import HTML_FILE, TEXT_FILE, GoldenRecord, page_file
from lgo_letters.output import write_atomic
from lgo_letters.renderer.raster import png_bytes

# How many lines of each unified diff are shown; the rest are counted.
DIFF_LINES = 24


class Status(Enum):
    MATCH = "match"
    NEW = "new"  # no golden files yet: never a pass
    CHANGED = "changed"
    GONE = "gone"  # golden files for a case that no longer exists


@dataclass
class CaseResult:
    name: str
    status: Status
    html_diff: list[str] = field(default_factory=list)
    text_diff: list[str] = field(default_factory=list)
    page_changes: list[PageChange] = field(default_factory=list)
    # The PDF's bytes differ from the golden sha256, but its text and pages do not.
    bytes_only: bool = False
    diff_images: list[Path] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status is Status.MATCH

    def write_diff_images(self, diff_dir: Path) -> None:
        """One picture per changed page: <diff_dir>/<year>/<slug>/page-N.png."""
        for change in self.page_changes:
            path = diff_dir / self.name / page_file(change.page)
            write_atomic(path, png_bytes(change.image))
            self.diff_images.append(path)

    def report(self) -> list[str]:
        """What a reviewer reads: the case, then each difference."""
        if self.status is Status.MATCH:
            note = " (PDF bytes differ from pdf.sha256; text and pages match)"
            note = note if self.bytes_only else ""
            return [f"ok       {self.name}{note}"]
        if self.status is Status.NEW:
            return [f"NEW      {self.name}: no golden files yet (write them with check --update)"]
        if self.status is Status.GONE:
            return [f"GONE     {self.name}: golden files for a case that no longer exists"]
        lines = [f"CHANGED  {self.name}"]
        for label, diff in (("HTML", self.html_diff), ("PDF text", self.text_diff)):
            if diff:
                lines.append(f"  {label} differs:")
                lines.extend(f"    {line}" for line in diff[:DIFF_LINES])
                if len(diff) > DIFF_LINES:
                    lines.append(f"    … and {len(diff) - DIFF_LINES} more diff line(s)")
        for index, change in enumerate(self.page_changes):
            where = f": {self.diff_images[index]}" if index < len(self.diff_images) else ""
            lines.append(f"  page {change.page}: {change.percent} of pixels changed{where}")
        if not (self.html_diff or self.text_diff or self.page_changes):
            lines.append("  only the PDF's bytes differ")
        return lines


def unified_diff(golden: str, current: str, name: str) -> list[str]:
    return [
        line.rstrip("\n")
        for line in difflib.unified_diff(
            golden.splitlines(),
            current.splitlines(),
            f"golden/{name}",
            f"current/{name}",
            n=1,
            lineterm="",
        )
    ]


def compare_case(name: str, rendering: Rendering, golden: GoldenRecord | None) -> CaseResult:
    if golden is None:
        return CaseResult(name, Status.NEW)
    html_diff = unified_diff(golden.html, rendering.html, HTML_FILE)
    if rendering.pdf_sha256 == golden.pdf_sha256 and golden.complete:
        # The fast path: the same bytes make the same text and pages.
        return CaseResult(name, Status.CHANGED if html_diff else Status.MATCH, html_diff)
    text_diff = unified_diff(golden.pdf_text, rendering.pdf_text, TEXT_FILE)
    page_changes = compare_pages(golden.page_pngs, rendering.page_images)
    if html_diff or text_diff or page_changes:
        return CaseResult(name, Status.CHANGED, html_diff, text_diff, page_changes)
    return CaseResult(name, Status.MATCH, bytes_only=True)
