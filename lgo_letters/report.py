"""How problems and progress reach the person at the terminal."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import tempfile
import traceback
from collections.abc import Iterable
from pathlib import Path

from rich._emoji_replace import _emoji_replace
from rich.console import Console
from rich.control import STRIP_CONTROL_CODES
from rich.table import Table

from lgo_letters.schema import Problem

# The characters rich's print would strip (strip_control_codes), found at C speed.
_STRIPPED = re.compile("[" + "".join(map(chr, STRIP_CONTROL_CODES)) + "]")

# Messages go to stderr, so stdout carries only what a command produces (paths, tables).
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


def print_text(console: Console, text: str) -> None:
    """`console.print(text, markup=False)`, the same characters; when they go to a file or
    a pipe and rich would change none of them (no emoji code, control character or tab),
    written at once: rich takes 2 s to pass 20,000 lines of `status` through unchanged."""
    if (
        console.is_terminal
        or "\t" in text
        or _STRIPPED.search(text)
        or _emoji_replace(text) != text
    ):
        console.print(text, markup=False)
        return
    console.file.write(f"{text}\n")
    console.file.flush()


def print_problems(problems: Iterable[Problem]) -> None:
    """Each problem as file:line:col: field: message; on a terminal, also a table."""
    problems = sorted(set(problems))
    if not problems:
        return
    for problem in problems:
        err.print(str(problem), markup=False)
    if err.is_terminal and sys.stderr.isatty():
        table = Table(title=f"{len(problems)} problem(s)", show_lines=False)
        for column in ("file", "line", "field", "problem"):
            table.add_column(column, overflow="fold")
        for p in problems:
            where = "" if p.line is None else f"{p.line}:{p.column or ''}".rstrip(":")
            table.add_row(str(p.file), where, p.field, p.message)
        err.print(table)


def print_warnings(warnings: Iterable[Problem], strict: bool = False) -> None:
    """Each warning as `warning: file:line:col: field: message` (`error:` under --strict)."""
    label = "error (--strict)" if strict else "warning"
    for warning in sorted(set(warnings)):
        err.print(f"{label}: {warning}", markup=False)


# Where the traceback of an unexpected internal error is written (default: the temp folder).
LOG_DIR_VARIABLE = "LGO_LETTERS_LOG_DIR"


def report_internal_error(error: BaseException) -> None:
    """One line for the person, the full traceback in a log file for whoever fixes it."""
    summary = f"{type(error).__name__}: {error}".splitlines()[0][:200]
    try:
        log_dir = Path(os.environ.get(LOG_DIR_VARIABLE) or tempfile.gettempdir())
        log_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        fd, name = tempfile.mkstemp(
            prefix=f"lgo-letters-error-{stamp}-", suffix=".log", dir=log_dir
        )
        with os.fdopen(fd, "w", encoding="utf-8") as log:
            log.write(f"lgo-letters {' '.join(sys.argv[1:])}\n\n")
            log.write("".join(traceback.format_exception(error)))
        where = f"details in {name}"
    except OSError as log_error:
        where = f"and the log could not be written ({log_error.strerror})"
    err.print(
        f"internal error in lgo-letters (a fault in the program, not in your records): "
        f"{summary}; {where}",
        markup=False,
        soft_wrap=True,
    )
