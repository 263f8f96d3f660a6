"""One print-ready PDF of the whole year: every letter, councils in alphabetical order,
a bookmark per council."""

from __future__ import annotations

import io
from pathlib import Path

from lgo_letters.output import write_atomic


def combined_name(year: int) -> str:
    # The underscore keeps it apart from letters: a council slug never has one.
    return f"_all-letters-{year}.pdf"


def write_combined(target: Path, year: int, letters: list[tuple[str, Path]]) -> int:
    """Join (council name, PDF) pairs, sorted by name, into `target`; returns its page count."""
    import pypdf  # only a combined build needs it here

    writer = pypdf.PdfWriter()
    for name, pdf in sorted(letters, key=lambda letter: letter[0].casefold()):
        writer.append(pdf, outline_item=name, import_outline=False)
    writer.add_metadata(
        {
            "/Title": f"Annual review letters {year}",
            "/Author": "Local Government and Social Care Ombudsman",
        }
    )
    writer.page_mode = "/UseOutlines"  # open with the bookmarks showing
    buffer = io.BytesIO()
    writer.write(buffer)
    write_atomic(target, buffer.getvalue())
    return len(writer.pages)
