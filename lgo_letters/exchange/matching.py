"""Which record a spreadsheet row is about, and the slug of a council new to the year.

A row and a record are the same council when they have the same ONS code (both must have
one), or else the same name once case, spacing, accents, "&"/"and", punctuation and
invisible characters are set aside ("St. Helens  Borough Council" is "St Helens Borough
Council"): lgo_letters.schema.names.name_key, as every comparison of names.
"""

from __future__ import annotations

from collections.abc import Iterable

from anyascii import anyascii

from lgo_letters.schema.names import KIND_PREFIXES as _LEADING
from lgo_letters.schema.names import name_key
from lgo_letters.schema.slugs import is_slug

# Words after a council's name that say what kind of council it is, not which one.
_TRAILING = (
    "metropolitan borough council",
    "metropolitan district council",
    "london borough council",
    "borough council",
    "district council",
    "county council",
    "city council",
    "council",
)


def _hyphenated(words: str) -> str:
    """Words as a slug: transliterated to Latin letters ("Москва" → "moskva", "Môn" →
    "mon"), anything but letters and digits dropped; "" when nothing is left."""
    latin = name_key(anyascii(words).replace("'", ""))
    slug = "-".join(
        "".join(c for c in word if c.isascii() and c.isalnum()) for word in latin.split()
    )
    slug = "-".join(part for part in slug.split("-") if part)
    return slug if is_slug(slug) else ""


def short_slug(name: str) -> str:
    """The name without the words for its kind: Dartford Borough Council → dartford,
    London Borough of Bexley → bexley."""
    words = name_key(name)
    for prefix in _LEADING:
        if words.startswith(prefix + " "):
            words = words[len(prefix) + 1 :]
            break
    for suffix in _TRAILING:
        if words.endswith(" " + suffix):
            words = words[: -len(suffix) - 1]
            break
    return _hyphenated(words)


def full_slug(name: str) -> str:
    """Every word of the name but a trailing "council": Durham County Council → durham-county."""
    words = name_key(name)
    if words.endswith(" council"):
        words = words[: -len(" council")]
    return _hyphenated(words)


def new_slugs(names: Iterable[str], taken: Iterable[str]) -> dict[str, str]:
    """Slugs for new councils: the short slug; if another council has it, the full slug;
    then -2, -3 … Names are taken in alphabetical order, so the result does not depend on
    the order of the rows. `taken` are the names of files that exist, compared without
    case (whatever they are: a file is never overwritten). A name with nothing to make a
    slug of (no letter or digit, even transliterated) gets "": the caller asks for one."""
    used = {t.casefold() for t in taken}
    result: dict[str, str] = {}
    for name in sorted(set(names), key=name_key):
        base = full_slug(name)
        if not base:
            result[name] = ""
            continue
        for candidate in (short_slug(name), base):
            if candidate and candidate not in used:
                break
        else:
            number = 2
            while f"{base}-{number}" in used:
                number += 1
            candidate = f"{base}-{number}"
        used.add(candidate)
        result[name] = candidate
    return result
