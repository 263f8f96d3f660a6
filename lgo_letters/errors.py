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

from dataclasses import dataclass
from pathlib import Path

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
