"""The kinds of error lgo-letters reports, how a command that ran can end, and the exit
code each one means (`EXIT_CODES`, read by `exit_code` alone).

- UsageError: the command cannot run as asked (unknown year, missing folder, bad slug): 2.
- InputError: a file a person wrote has problems, each located as file:line:col: field: 1.
- TemplateError: a template failed for a letter; its message names the template's file and
  line. It costs that letter only: 1.
- OutputError: an output file or folder cannot be written: 1.
- Anything else is a fault in lgo-letters itself (internal): 70.

A command that runs to its end returns an `Outcome` (OK: 0; FAILED: 1, what failed having
been said), or `Interrupted` when a signal left work undone: 128 + the signal (130 for
Ctrl-C, 143 for SIGTERM). The command line turns errors into messages, and everything into
an exit code, in one place (cli.py, through `exit_code`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path


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


class Outcome(enum.Enum):
    """How a command that ran to its end went (what went wrong is said before it returns)."""

    OK = "ok"  # everything asked for was done
    FAILED = "failed"  # a record, letter or file failed, or something was refused


@dataclass(frozen=True)
class Interrupted:
    """A signal (Ctrl-C, SIGTERM) stopped the command with work left undone."""

    signal: int


# What a command's run function returns.
Result = Outcome | Interrupted

# Every exit code lgo-letters ends with, and what it means: the one table.
EXIT_CODES: dict[Outcome | type[Exception], int] = {
    Outcome.OK: 0,
    Outcome.FAILED: 1,  # every other letter is still made
    InputError: 1,
    TemplateError: 1,
    OutputError: 1,
    UsageError: 2,
}
EXIT_INTERNAL = 70  # anything else: a fault in lgo-letters itself (BSD's EX_SOFTWARE)
EXIT_SIGNALLED = 128  # + the signal's number, as a shell reports a process it killed


def exit_code(result: Result | BaseException) -> int:
    """The exit code a command's result, or the error that stopped it, means."""
    if isinstance(result, Interrupted):
        return EXIT_SIGNALLED + result.signal
    if isinstance(result, Outcome):
        return EXIT_CODES[result]
    for kind, code in EXIT_CODES.items():
        if isinstance(kind, type) and isinstance(result, kind):
            return code
    return EXIT_INTERNAL
