"""The number rules: half-up rounding, agreement, words, names and dates."""

from __future__ import annotations

import datetime as dt

import pytest

from lgo_letters.context.numbers import (
    counted,
    in_words,
    join_names,
    long_date,
    percent,
    plural,
    short_date,
)


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (5, 8, 63),  # 62.5 rounds up; round() would give 62
        (1, 8, 13),  # 12.5 → 13; round() gives 12
        (1, 200, 1),  # 0.5 → 1; round() gives 0
        (3, 8, 38),  # 37.5 → 38
        (1, 3, 33),
        (2, 3, 67),
        (3, 4, 75),
        (0, 4, 0),
        (4, 4, 100),
        (199, 200, 100),  # 99.5 → 100
        (397, 400, 99),  # 99.25 → 99
    ],
)
def test_percent_rounds_half_up(part: int, whole: int, expected: int) -> None:
    assert percent(part, whole) == expected


def test_percent_of_nothing_is_none_not_zero() -> None:
    assert percent(0, 0) is None


@pytest.mark.parametrize(
    ("n", "noun", "expected"),
    [
        (1, "upheld decision", "1 upheld decision"),
        (2, "upheld decision", "2 upheld decisions"),
        (0, "upheld decision", "0 upheld decisions"),
        (1, "compliance outcome", "1 compliance outcome"),
        (1, "detailed investigation", "1 detailed investigation"),
        (3, "detailed investigation", "3 detailed investigations"),
        (1, "satisfactory remedy decision", "1 satisfactory remedy decision"),
        (2, "satisfactory remedy", "2 satisfactory remedies"),
    ],
)
def test_counts_agree_with_their_nouns(n: int, noun: str, expected: str) -> None:
    assert counted(n, noun) == expected


def test_plural_of_irregular_last_word() -> None:
    assert plural("late remedy", 2) == "late remedies"
    assert plural("late remedy", 1) == "late remedy"


@pytest.mark.parametrize(
    ("n", "expected"), [(1, "one"), (3, "three"), (9, "nine"), (10, "10"), (12, "12")]
)
def test_one_to_nine_in_words_then_figures(n: int, expected: str) -> None:
    assert in_words(n) == expected
    assert counted(n, "case", words=True).startswith(expected + " ")


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Mrs Jolly"], "Mrs Jolly"),
        (["Mrs Jolly", "Mr Proudfoot"], "Mrs Jolly & Mr Proudfoot"),
        (["A", "B", "C"], "A, B & C"),
        (["A", "B", "C", "D"], "A, B, C & D"),
    ],
)
def test_recipients_are_joined(names: list[str], expected: str) -> None:
    assert join_names(names) == expected


def test_dates_as_the_letters_print_them() -> None:
    assert long_date(dt.date(2020, 7, 22)) == "22 July 2020"
    assert long_date(dt.date(2021, 7, 1)) == "1 July 2021"
    assert short_date(dt.date(2020, 3, 31)) == "31/03/20"
