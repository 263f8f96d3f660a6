"""What text a record may hold: characters that can be typeset, at a length that can be laid out.

Two layers, each with its own located message:
- `forbidden_character` refuses, in every value and key of a YAML file, characters that are
  never meant: control characters (NUL, ESC, form feed …; a tab or line break is fine),
  lone surrogates, Unicode noncharacters (U+FFFF …) and bidirectional controls (U+202E
  would print the text after it reversed). They break the PDF's XMP metadata or change
  what the letter says without being seen.
- `check_text` (a validator of every text field) bounds the length, the combining marks
  on one character (layout time grows with the square of a run of them), and requires
  every character to be in the letter's bundled font (any other would silently bring in
  a system font, or print as a box).
"""

from __future__ import annotations

import functools
import unicodedata

# Text fields: a name, role or recipient is a line; a comment or detail is a paragraph.
MAX_LINE_CHARACTERS = 300
MAX_PARAGRAPH_CHARACTERS = 3_000
# Vietnamese stacks two marks on a letter; more than this is never writing, only damage.
MAX_COMBINING_MARKS = 4
# Counts are far below this; a larger one is a typing mistake (and a figure that long does
# not fit the statistics page).
MAX_COUNT = 999_999

_BIDI_CONTROLS = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_ALLOWED_CONTROLS = {"\t", "\n"}


def _name(char: str) -> str:
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    return f"{code} {name}" if name else code


def _is_noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def forbidden_character(text: str) -> str | None:
    """A message naming the first character of `text` that a letter must never hold."""
    if text.isascii() and text.isprintable():  # the common case, at C speed
        return None
    for char in text:
        code = ord(char)
        if char in _ALLOWED_CONTROLS:
            continue
        category = unicodedata.category(char)
        if category == "Cc":
            return f"holds the control character {_name(char)}: remove it"
        if category == "Cs":
            return f"holds {_name(char)}, half of a surrogate pair, which is not a character"
        if _is_noncharacter(code):
            return f"holds {_name(char)}, which is not a character: remove it"
        if code in _BIDI_CONTROLS:
            return f"holds the bidirectional control {_name(char)}: remove it"
    return None


@functools.cache
def font_characters() -> frozenset[int]:
    """Every character the letter's font has a glyph for, in each face the letters use."""
    from fontTools.ttLib import TTFont  # only for text beyond ASCII

    from lgo_letters.fonts import upright_font_files

    faces = [set(TTFont(str(f), lazy=True)["cmap"].getBestCmap()) for f in upright_font_files()]
    return frozenset(set.intersection(*faces))


def _needs_no_glyph(char: str) -> bool:
    """Spaces, line breaks and format characters (zero-width space, joiners) draw nothing."""
    return char in _ALLOWED_CONTROLS or unicodedata.category(char) in ("Zs", "Cf")


def _missing_from_font(text: str) -> str | None:
    if text.isascii():  # the font has every printable ASCII character
        return None
    font = font_characters()
    for char in text:
        if ord(char) not in font and not _needs_no_glyph(char):
            return char
    return None


def _longest_mark_run(text: str) -> int:
    if text.isascii():  # no combining marks: the common case, at C speed
        return 0
    longest = run = 0
    for char in text:
        run = run + 1 if unicodedata.combining(char) else 0
        longest = max(longest, run)
    return longest


def check_text(text: str, max_characters: int) -> str:
    """`text`, or ValueError with a message a person can act on."""
    if len(text) > max_characters:
        raise ValueError(
            f"is {len(text):,} characters long; at most {max_characters:,} fit in a letter"
        )
    marks = _longest_mark_run(text)
    if marks > MAX_COMBINING_MARKS:
        raise ValueError(
            f"has {marks:,} combining marks on one character (at most {MAX_COMBINING_MARKS})"
        )
    missing = _missing_from_font(text)
    if missing is not None:
        raise ValueError(
            f"the character {missing!r} ({_name(missing)}) is not in the letter's font: "
            "remove it or write it another way"
        )
    return text


def check_line(text: str) -> str:
    return check_text(text, MAX_LINE_CHARACTERS)


def check_paragraph(text: str) -> str:
    return check_text(text, MAX_PARAGRAPH_CHARACTERS)
