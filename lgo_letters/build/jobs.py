"""What passes between a build and its worker processes: one letter's PDF job and its outcome.

Kept apart from the worker code so the parent can use them without importing WeasyPrint.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PdfJob:
    slug: str
    html: str  # the letter's document, without its stylesheet
    target: Path
    input_hash: str  # what the manifest records the PDF as built from
    stylesheet: str | None = None  # CSS text, given to WeasyPrint as a stylesheet


@dataclass(frozen=True)
class PdfWritten:
    # The PDF, written beside its target; the build renames it into place (a worker never
    # replaces a letter itself, so a worker that outlives its build cannot overwrite one).
    temporary: Path
    sha256: str
    size: int
    pages: int
    seconds: float


@dataclass(frozen=True)
class PdfFailed:
    reason: str
    writing: bool = False  # the PDF was made but could not be written (reason names the file)
    whole_folder: bool = False  # the folder or disk refuses every write: stop the build
