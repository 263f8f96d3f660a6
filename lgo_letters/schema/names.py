"""When two council names are one council: the only comparison of names in the project.

The duplicate-record check, `import`'s matching of rows to records and `validate`'s
comparison with the official list all compare names by `name_key`, so a name one of them
takes for a council's, the others take too.
"""

from __future__ import annotations

import re
import unicodedata


def name_key(name: str) -> str:
    """The name as compared: case, spacing, accents, "&"/"and", punctuation and invisible
    characters (zero-width spaces, joiners, soft hyphens: Unicode's format characters) set
    aside. "Bath & North-East Somerset Council" → "bath and north east somerset council";
    "St. Helens\u200b  BOROUGH Council" → "st helens borough council"."""
    text = name
    if not text.isascii():  # ASCII has no accents and no format characters
        text = unicodedata.normalize("NFKD", text)
        text = "".join(
            c for c in text if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
        )
    text = text.casefold().replace("&", " and ")
    text = re.sub(r"['’`]", "", text)  # King's Lynn → kings lynn
    return " ".join(re.sub(r"[\W_]+", " ", text).split())
