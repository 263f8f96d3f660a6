"""Cell values as spreadsheets hold them → record values, or a message saying why not.

"12", 12 and 12.0 are the count 12, and so is 12.000000000000002 (what Excel stores after
arithmetic, and shows as 12); 12.5, "n/a", "-", a negative number, true/false and a formula
error (#DIV/0!) are not counts. Blank cells never reach here: they leave the field as it is.
Text is taken as it is typed, never parsed (as YAML or otherwise), and a message quotes at
most the start of a cell.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from lgo_letters.exchange.columns import TYPE_WORDS
from lgo_letters.schema.models import AUTHORITY_TYPES, check_email_address, check_gss_code
from lgo_letters.schema.text import MAX_LINE_CHARACTERS, forbidden_character
from lgo_letters.sheets.cells import clean_text, header_key
from lgo_letters.sheets.problems import shown

# What Excel shows for a formula that failed; openpyxl reads the cached value as this text.
_FORMULA_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!"}
_WHOLE_NUMBER = re.compile(r"^[+]?\d+(?:\.0*)?$")
EMAIL_FIELDS = frozenset({"email", "cc"})
# Excel's binary floating point: 41 after arithmetic may be stored as 41.00000000000001.
FLOAT_NOISE = 1e-9


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return shown(value) if isinstance(value, str) else str(value)


def to_count(value: Any) -> int:
    if isinstance(value, str) and value.strip() in _FORMULA_ERRORS:
        raise ValueError(f"{value.strip()} is a formula error, not a count")
    if isinstance(value, bool | dt.date | dt.time):
        raise ValueError(f"{_shown(value)} is not a count")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        whole = round(value) if math.isfinite(value) else None
        if whole is None or abs(value - whole) > FLOAT_NOISE:
            raise ValueError(f"{value} is not a count (not a whole number)")
        number = whole
    else:
        text = clean_text(value)
        if text.startswith("-") and _WHOLE_NUMBER.match(text[1:]):
            raise ValueError(f"{shown(text)} is not a count (negative)")
        if not _WHOLE_NUMBER.match(text):
            raise ValueError(f"{shown(text)} is not a count")
        number = int(float(text)) if "." in text else int(text)
    if number < 0:
        raise ValueError(f"{number} is not a count (negative)")
    return number


def to_type(value: Any, extra: dict[str, str]) -> str:
    """The usual words for an authority type, or those a mapping file names."""
    text = clean_text(value)
    key = header_key(text)
    if key in extra:
        return extra[key]
    for words, kind in TYPE_WORDS.items():
        if header_key(words) == key:
            return kind
    raise ValueError(
        f"{shown(text)} is not an authority type: use County Council, District, Metropolitan "
        f"Borough, Unitary Authority or London Borough ({', '.join(AUTHORITY_TYPES)}), or "
        "map it with --mapping"
    )


def split_list(value: Any, separators: str = r"[;\n\r]+") -> list[str]:
    """Several names in one cell, separated by ';' (as `export` writes them) or line breaks."""
    return [clean_text(p) for p in re.split(separators, str(value)) if clean_text(p)]


def to_addresses(value: Any) -> list[str]:
    """One or more email addresses, separated by ';', ',' or spaces; each checked offline."""
    parts = [p for p in re.split(r"[;,\s]+", clean_text(value)) if p]
    for part in parts:
        if len(part) > MAX_LINE_CHARACTERS:
            raise ValueError(f"{shown(part)} is not an email address: it is far too long")
        check_email_address(part)
    return parts


def to_value(path: str, value: Any, types: dict[str, str], counts: frozenset[str]) -> Any:
    """The record value of cell `value` for field `path` (one of `counts`, the year's
    format's count fields, or another); ValueError says what is wrong."""
    if path in counts:
        return to_count(value)
    if isinstance(value, str) and value.strip() in _FORMULA_ERRORS:
        raise ValueError(f"{value.strip()} is a formula error")
    if isinstance(value, str) and (problem := forbidden_character(value)) is not None:
        raise ValueError(f"{shown(value)} {problem}")
    if path == "type":
        return to_type(value, types)
    if path in EMAIL_FIELDS:
        return to_addresses(value)
    if path == "recipients":
        return split_list(value)
    if path == "comments":  # paragraphs, which hold semicolons: one a line
        return split_list(value, r"[\n\r]+")
    if path == "code":
        code = clean_text(value).upper()
        if len(code) > 20:
            raise ValueError(f"{shown(code)} is not an ONS GSS code")
        return check_gss_code(code)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(value)
