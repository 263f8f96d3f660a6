"""One case against its golden files: what differs, said so a reviewer can see it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from lgo_letters.golden.pixels import PageChange, compare_pages
from lgo_letters.golden.rendering import Rendering
from lgo_letters.golden.store import (
    BRIEF_SUFFIX,
    HTML_FILE,
    TEXT_FILE,
    BriefRecord,
    FullRecord,
    page_file,
)
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
    # (label, unified diff): the HTML and the PDF's text of a full record, the text of a
    # brief one.
    diffs: list[tuple[str, list[str]]] = field(default_factory=list)
    page_changes: list[PageChange] = field(default_factory=list)
    # A full record: the PDF's bytes differ from the golden sha256, its text and pages do not.
    bytes_only: bool = False
    # A brief record: the PDF's bytes differ from the golden sha256 (no pages to compare).
    pdf_differs: bool = False
    diff_images: list[Path] = field(default_factory=list)
    new_pdf: Path | None = None  # a brief record's new PDF, put out for a look

    @property
    def passed(self) -> bool:
        return self.status is Status.MATCH

    def write_diff_images(self, diff_dir: Path) -> None:
        """One picture per changed page: <diff_dir>/<year>/<slug>/page-N.png."""
        for change in self.page_changes:
            path = diff_dir / self.name / page_file(change.page)
            write_atomic(path, png_bytes(change.image), durable=False)
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
        for label, diff in self.diffs:
            if diff:
                lines.append(f"  {label} differs:")
                lines.extend(f"    {line}" for line in diff[:DIFF_LINES])
                if len(diff) > DIFF_LINES:
                    lines.append(f"    … and {len(diff) - DIFF_LINES} more diff line(s)")
        for index, change in enumerate(self.page_changes):
            where = f": {self.diff_images[index]}" if index < len(self.diff_images) else ""
            lines.append(f"  page {change.page}: {change.percent} of pixels changed{where}")
        if self.pdf_differs:
            changed = any(diff for _, diff in self.diffs)
            text = "its text does too" if changed else "its text does not"
            where = f"; the new PDF: {self.new_pdf}" if self.new_pdf else ""
            lines.append(f"  PDF differs from its sha256 ({text}){where}")
        elif not (any(diff for _, diff in self.diffs) or self.page_changes):
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


def compare_full(name: str, rendering: Rendering, golden: FullRecord | None) -> CaseResult:
    """A case that keeps pictures of its pages: HTML, then (unless the PDF's bytes are the
    same) the PDF's text and every page's pixels."""
    if golden is None:
        return CaseResult(name, Status.NEW)
    html_diff = unified_diff(golden.html, rendering.html, f"{name}/{HTML_FILE}")
    if rendering.pdf_sha256 == golden.pdf_sha256 and golden.complete:
        # The fast path: the same bytes make the same text and pages.
        status = Status.CHANGED if html_diff else Status.MATCH
        return CaseResult(name, status, [("HTML", html_diff)])
    text_diff = unified_diff(golden.pdf_text, rendering.pdf_text, f"{name}/{TEXT_FILE}")
    page_changes = compare_pages(golden.page_pngs, rendering.page_images)
    if html_diff or text_diff or page_changes:
        diffs = [("HTML", html_diff), ("PDF text", text_diff)]
        return CaseResult(name, Status.CHANGED, diffs, page_changes)
    return CaseResult(name, Status.MATCH, bytes_only=True)


def compare_brief(name: str, rendering: Rendering, golden: BriefRecord | None) -> CaseResult:
    """A council's brief record: its text, sentence by sentence, and its PDF's sha256. With
    no pages kept, a PDF whose bytes differ is a change, whatever its text says."""
    if golden is None:
        return CaseResult(name, Status.NEW)
    text_diff = unified_diff(golden.text, rendering.text, f"{name}{BRIEF_SUFFIX}")
    pdf_differs = rendering.pdf_sha256 != golden.pdf_sha256
    if not (text_diff or pdf_differs):
        return CaseResult(name, Status.MATCH)
    return CaseResult(name, Status.CHANGED, [("Text", text_diff)], pdf_differs=pdf_differs)
