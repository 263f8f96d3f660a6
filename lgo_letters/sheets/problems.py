"""A problem in a spreadsheet, located as a person finds it: `figures.xlsx[Statistics]!D14`
or `contacts.csv:14`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

# How much of a cell a message quotes: enough to find it, never a whole 300 MB cell.
SHOWN_CHARACTERS = 60


def shown(value: Any, limit: int = SHOWN_CHARACTERS) -> str:
    """A cell's text as a message quotes it: in quotes, invisible characters escaped, cut
    to its first `limit` characters ("…" and its length after)."""
    text = str(value)
    cut = text if len(text) <= limit else text[: limit - 1]
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in cut)
    if len(text) > limit:
        return f"'{escaped}…' ({len(text):,} characters)"
    return f"'{escaped}'"


# Where a problem stands among the rows: (file, row, column), to report them in row order.
Position = tuple[int, int, int]
UNPLACED: Position = (1_000_000, 0, 0)


@dataclass(frozen=True, order=True)
class CellProblem:
    where: str  # file, file:line, or file[sheet]!cell
    field: str
    message: str
    position: Position = dataclasses.field(default=UNPLACED, compare=False)

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        return f"{self.where}:{field} {self.message}"


class SheetError(Exception):
    """A file or its rows cannot be imported; carries every problem found."""

    def __init__(self, problems: list[CellProblem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems
