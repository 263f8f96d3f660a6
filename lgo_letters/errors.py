"""The kinds of error lgo-letters reports, and the exit code each one means.

- UsageError: the command cannot run as asked (unknown year, missing folder, bad slug): 2.
- InputError: a file a person wrote has problems, each located as file:line:col: field: 1.
- TemplateError: a template failed for a letter; its message names the template's file and
  line. It costs that letter only: 1.
- OutputError: an output file or folder cannot be written: 1.
- Anything else is a fault in lgo-letters itself (internal): 70.

The command line turns them into messages and exit codes in one place (cli.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

EXIT_OK = 0
EXIT_FAILED = 1  # some record or letter failed; every other letter is still made
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # BSD's EX_SOFTWARE


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one input file, worded for the person who has to fix it."""

    file: Path
    line: int | None
    column: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class UsageError(Exception):
    """The command cannot run as asked (unknown year, missing folder): exit code 2."""


class InputError(Exception):
    """Raised when a file cannot be used; carries every problem found in it."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class TemplateError(Exception):
    """A template failed to load or render; the message names its file and line."""

    def problem(self) -> Problem:
        """The message as a located problem: `file[:line]: message` (as the renderer words
        it) becomes file, line and message, and prints exactly as before."""
        text = str(self)
        found = _TEMPLATE_PLACE.match(text)
        if found is None:
            return Problem(Path(""), None, None, "", text)
        line = found["line"]
        return Problem(Path(found["file"]), int(line) if line else None, None, "", found["msg"])


# How the renderer words a template's fault: "templates/2021/letter.html.j2:12: message".
_TEMPLATE_PLACE = re.compile(r"(?P<file>[^\n]+?)(?::(?P<line>\d+))?: (?P<msg>.*)\Z", re.S)


class OutputError(Exception):
    """An output file or folder cannot be written; the message says which and why.

    `whole_folder` is true when the fault is the folder's or the disk's (read-only, full),
    so that writing the other letters there is pointless.
    """

    def __init__(self, message: str, whole_folder: bool = True):
        super().__init__(message, whole_folder)
        self.message = message
        self.whole_folder = whole_folder

    def __str__(self) -> str:
        return self.message


# Why a letter was not made: its record, the year's file, its template, its PDF's layout,
# or (a build's) writing its files.
FailureKind = Literal["record", "year", "template", "pdf", "output"]


@dataclass(frozen=True)
class LetterFailure:
    """Why one council's letter was not made: the one failure type every front end shows
    (build's report, status, approve/send/publish, the review desk, the live preview,
    `check`). Each problem is located (file, line, field); `reasons` is how they are
    worded everywhere, one a line: `file:line:col: field: message`.

    Made by lgo_letters.letter (record, year, template: `letter.make_letter` decides),
    lgo_letters.layout.step (pdf) and the build's writes (output)."""

    slug: str
    kind: FailureKind
    problems: tuple[Problem, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        # An output fault's message names the file it could not write already.
        if self.kind == "output":
            return tuple(problem.message for problem in self.problems)
        return tuple(map(str, self.problems))

    @property
    def summary(self) -> str:
        """One line, where many letters are listed (build's report, the preview's index):
        a year file with problems costs every letter of the year, said once."""
        if self.kind == "year" and self.problems:
            year_file = self.problems[0].file
            return f"{year_file} has problems, so no letter of {year_file.parent.name} can be made"
        return "; ".join(self.reasons)

    def with_note(self, note: str) -> LetterFailure:
        """The same failure, its last reason followed by `note`."""
        *before, last = self.problems
        return LetterFailure(
            self.slug, self.kind, (*before, replace(last, message=f"{last.message}; {note}"))
        )
