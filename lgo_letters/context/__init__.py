"""Validated model → letter context: the numbers and facts a template needs."""

from lgo_letters.context.averages import TypeAverages, year_averages
from lgo_letters.context.letter import LetterContext, Rate, letter_context

__all__ = ["LetterContext", "Rate", "TypeAverages", "letter_context", "year_averages"]
