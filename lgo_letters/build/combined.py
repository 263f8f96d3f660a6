"""One PDF of the whole year for printing: every final letter, councils in alphabetical
order, a bookmark per council.

It is a print copy, not for publication: the pages are the letters' own, but the joined file
has no structure tree (the letters' own PDFs are the accessible, PDF/UA-1 copies to publish),
and its title says so. Draft letters are never in it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lgo_letters.build.inputs import sha256_bytes
from lgo_letters.output import write_atomic

PRINT_COPY = "print copy, not for publication"


def combined_name(year: int) -> str:
    # The underscore keeps it apart from letters: a council slug never has one.
    return f"_all-letters-{year}.pdf"


def combined_title(year: int) -> str:
    return f"Annual review letters {year} – {PRINT_COPY}"


@dataclass(frozen=True)
class CombinedLetter:
    slug: str
    name: str
    pdf: Path
    sha256: str  # of the letter's PDF as it is on disk


def combined_input(letters: Iterable[CombinedLetter]) -> str:
    """What the combined PDF is made of: each letter's name, slug and PDF, hashed."""
    return sha256_bytes(
        repr(sorted((letter.name, letter.slug, letter.sha256) for letter in letters))
    )


def write_combined(target: Path, year: int, letters: list[CombinedLetter]) -> int:
    """Join the letters, sorted by council name, into `target`; returns its page count."""
    import pypdf  # only a combined build needs it here
    from pypdf.generic import NameObject, TextStringObject

    writer = pypdf.PdfWriter()
    for letter in sorted(letters, key=lambda letter: letter.name.casefold()):
        writer.append(letter.pdf, outline_item=letter.name, import_outline=False)
    writer.add_metadata(
        {
            "/Title": combined_title(year),
            "/Author": "Local Government and Social Care Ombudsman",
            "/Subject": (
                f"The final annual review letters of {year} in one file, for printing. "
                "Publish each council's own letter PDF (tagged, PDF/UA-1), not this file."
            ),
        }
    )
    writer.root_object[NameObject("/Lang")] = TextStringObject("en-GB")
    writer.create_viewer_preferences().display_doctitle = True  # the title, not the file name
    writer.page_mode = "/UseOutlines"  # open with the bookmarks showing
    buffer = io.BytesIO()
    writer.write(buffer)
    write_atomic(target, buffer.getvalue())
    return len(writer.pages)
