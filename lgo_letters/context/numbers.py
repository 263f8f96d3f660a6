"""Numbers as the letters print them: half-up percentages, counts that agree, dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TypeVar, cast

Text = TypeVar("Text", bound=str)  # str, or markupsafe.Markup for HTML

_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_IRREGULAR_PLURALS = {"remedy": "remedies", "authority": "authorities"}


def percent(part: int, whole: int) -> int | None:
    """Whole per cent, rounded half up (5 of 8 is 62.5% → 63); None when `whole` is 0.

    Integer arithmetic, because round() rounds half to even and floats misround .5 cases.
    """
    if whole == 0:
        return None
    return (200 * part + whole) // (2 * whole)


def in_words(n: int) -> str:
    """Counts from zero to nine in words, 10 and over in figures (house style)."""
    return _WORDS[n] if 0 <= n < len(_WORDS) else str(n)


def plural(noun: str, n: int) -> str:
    """The noun phrase in the number that agrees with `n` ("upheld decision" → "...decisions")."""
    if n == 1:
        return noun
    head, _, last = noun.rpartition(" ")
    word = _IRREGULAR_PLURALS.get(last, last + "s")
    return f"{head} {word}" if head else word


def counted(n: int, noun: str, words: bool = False) -> str:
    """ "1 upheld decision", "2 upheld decisions"; with words=True "three cases"."""
    number = in_words(n) if words else str(n)
    return f"{number} {plural(noun, n)}"


def figure(n: int) -> str:
    """A large count as the letters print it: 1400 → "1,400"."""
    return f"{n:,}"


def join_names(names: Sequence[Text]) -> Text:
    """ "A", "A & B", "A, B & C". Names given as Markup are joined as Markup ("&amp;")."""
    if len(names) == 1:
        return names[0]
    *most, last = names
    # Markup's join and + give Markup (escaping the str parts); typeshed says str.
    return cast(Text, type(last)(", ").join(most) + " & " + last)


def long_date(day: dt.date) -> str:
    """22 July 2020."""
    return f"{day.day} {day:%B %Y}"


def short_date(day: dt.date) -> str:
    """31/03/20."""
    return f"{day:%d/%m/%y}"
