"""What a count counts, in the number that agrees with it.

A format declares each count's noun and, where an "s" on its last word is wrong, its
plural (templates/<year>/format.yaml: `noun: remedy recommended, plural: remedies
recommended`); a noun without a declared plural takes the regular one made here.
"""

from __future__ import annotations

# Last words whose plural is not an added "s", for nouns no format declares a plural for.
_IRREGULAR_PLURALS = {"remedy": "remedies", "authority": "authorities"}


def regular_plural(noun: str) -> str:
    """ "upheld decision" → "upheld decisions": an "s" on the last word (or its irregular
    plural, "satisfactory remedy" → "satisfactory remedies")."""
    head, _, last = noun.rpartition(" ")
    word = _IRREGULAR_PLURALS.get(last, last + "s")
    return f"{head} {word}" if head else word
