"""What a cell's text means: text as typed, a header's key, and where the header row is.

The one header-row detector: `import` (exchange/columns.py) and the official councils list
(completeness.py) both find their header row with `find_header_row`, so both skip title
rows the same way and read the same cells as headers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

from lgo_letters.sheets.reader import Row, Sheet, TooLong, UnsavedFormula

# The header row need not be the first: title rows above it are skipped.
HEADER_SEARCH_ROWS = 30

Found = TypeVar("Found")


def clean_text(value: Any) -> str:
    """Text as typed, without the invisible characters spreadsheets carry (no-break and
    zero-width spaces, soft hyphens), its spaces collapsed."""
    text = unicodedata.normalize("NFC", str(value))
    text = re.sub(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]", "", text)
    return " ".join(text.replace("\u00a0", " ").split())


def header_key(text: object) -> str:
    """ "Detailed Investigations", "detailed_investigations" → "detailedinvestigations"."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[\W_]+", "", folded)


def header_cells(row: Row) -> list[tuple[int, Any, str]]:
    """The row's cells that can be headers, as (column index, cell, header_key): blank
    cells, cells too long to read and formulas never computed are not."""
    return [
        (index, cell, header_key(cell))
        for index, cell in enumerate(row.values)
        if cell is not None and not isinstance(cell, TooLong | UnsavedFormula)
    ]


def find_header_row(
    sheet: Sheet, recognise: Callable[[Row], Found | None]
) -> tuple[int, Found] | None:
    """The position in `sheet.rows` of the first of its first HEADER_SEARCH_ROWS rows that
    `recognise` takes for the header row, with what it made of it; None when none is."""
    for position, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        found = recognise(row)
        if found is not None:
            return position, found
    return None
