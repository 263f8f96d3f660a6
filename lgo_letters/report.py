"""How problems and progress reach the person at the terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from rich.console import Console
from rich.table import Table

from lgo_letters.schema import Problem

# Messages go to stderr, so stdout carries only what a command produces (paths, tables).
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


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
