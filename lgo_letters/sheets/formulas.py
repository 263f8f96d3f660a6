"""CSV cells a spreadsheet would run as formulas, guarded on the way out and back in.

A text cell that starts with "=", "+", "-" or "@" (or a tab or carriage return) is a
formula to Excel and LibreOffice when they open a CSV file: a council name like
`=HYPERLINK("http://…")` would become a link, or worse, in the press office's copy. `export`
writes such a cell with a leading apostrophe, which spreadsheets show as text, and
`import` of a CSV file takes the apostrophe off again, so export → import changes nothing.
(XLSX needs none of this: its cells say they are text.)
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def _looks_guarded(text: str) -> bool:
    return text.startswith(GUARD) and text[1:2] in (*FORMULA_STARTS, GUARD)


def guard_formula(text: str) -> str:
    """`text` as a CSV cell no spreadsheet runs. Text that already looks guarded ("'=x") is
    guarded once more, so `unguard_formula` gives back exactly what was written."""
    if text.startswith(FORMULA_STARTS) or _looks_guarded(text):
        return GUARD + text
    return text


def unguard_formula(text: str) -> str:
    """A CSV cell as `guard_formula` was given it: one leading apostrophe before a formula
    character (or before another apostrophe) removed; any other text as it is."""
    return text[1:] if _looks_guarded(text) else text
