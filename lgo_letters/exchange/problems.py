"""A problem in a spreadsheet, located as a person finds it: `figures.xlsx[Statistics]!D14`
or `contacts.csv:14`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class CellProblem:
    where: str  # file, file:line, or file[sheet]!cell
    field: str
    message: str

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        return f"{self.where}:{field} {self.message}"


class SheetError(Exception):
    """A file or its rows cannot be imported; carries every problem found."""

    def __init__(self, problems: list[CellProblem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems
