"""What passes between a build and its worker processes: one letter's PDF job and its outcome.

Kept apart from the worker code so the parent can use them without importing WeasyPrint.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lgo_letters.errors import LetterFailure, OutputError, Problem


@dataclass(frozen=True)
class PdfJob:
    slug: str
    html: str  # the letter's document, without its stylesheet
    target: Path
    input_hash: str  # what the manifest records the PDF as built from
    stylesheet: str | None = None  # CSS text, given to WeasyPrint as a stylesheet
    record_file: Path = Path()  # where a fault of this letter's PDF is located


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
    failure: LetterFailure  # "pdf": not laid out; "output": made but could not be written
    whole_folder: bool = False  # the folder or disk refuses every write: stop the build

    @property
    def reason(self) -> str:
        return "; ".join(self.failure.reasons)


def output_failure(slug: str, file: Path, error: OutputError) -> LetterFailure:
    """A letter whose file could not be written (the error's message names the file)."""
    return LetterFailure(slug, "output", (Problem(file, None, None, "", str(error)),))
