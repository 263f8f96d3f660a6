"""Council slugs: a record's file name without `.yaml`, and the name of its letter's files.

Only lower-case letters, digits and single hyphens, so a slug can never be a path.
"""

from __future__ import annotations

import re

from lgo_letters.errors import UsageError

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_RULE = "lower-case letters, digits and single hyphens"


def is_slug(text: str) -> bool:
    return _SLUG.fullmatch(text) is not None


def record_file_problem(file_name: str) -> str | None:
    """Why `file_name` cannot be a council record's file name, or None when it can."""
    stem, dot, suffix = file_name.rpartition(".")
    if dot and suffix == "yaml" and is_slug(stem):
        return None
    return (
        f"'{file_name}' is not a valid file name: use {SLUG_RULE}, "
        "ending in .yaml, e.g. harborough.yaml"
    )


def check_slugs(slugs: list[str]) -> None:
    """UsageError unless every one is a slug: a slug given on the command line is never a path."""
    for slug in slugs:
        if not is_slug(slug):
            raise UsageError(f"'{slug}' is not a council slug ({SLUG_RULE})")
