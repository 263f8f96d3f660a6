"""When two council names are one council: the only comparison of names in the project.

The duplicate-record check, `import`'s matching of rows to records and `validate`'s
comparison with the official list all compare names by `name_key`, so a name one of them
takes for a council's, the others take too. Lists of councils (the publication's index and
figures) are sorted by `sort_key`, the name as people look for it.
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
    text = _APOSTROPHES.sub("", text)  # King's Lynn → kings lynn
    return " ".join(_NOT_WORDS.sub(" ", text).split())


_APOSTROPHES = re.compile(r"['’`]")
_NOT_WORDS = re.compile(r"[\W_]+")


# Words before a council's name that say what kind of council it is, not which one
# ("London Borough of Bexley"): new slugs leave them out, and so do sort keys.
KIND_PREFIXES = (
    "london borough of",
    "royal borough of",
    "metropolitan borough of",
    "borough of",
    "city and county of",
    "city of",
    "county of",
)
_KINDS = "|".join(KIND_PREFIXES)
_PREFIX = re.compile(rf"^(?:the )?(?:council of (?:the )?|(?:{_KINDS}) )")


def sort_key(name: str, sort_name: str | None = None) -> tuple[str, str]:
    """Where the council is listed: under the place it is named for, as people look for
    it. "London Borough of Barnet" and "Barnet, London Borough of" both sort under B,
    "City of London" under L; a record's `sort_name` ("Kingston upon Thames") overrides.
    Compared as `name_key` compares names (case, accents, punctuation set aside), the full
    name breaking ties."""
    key = name_key(sort_name) if sort_name else _PREFIX.sub("", name_key(name))
    return key, name_key(name)
