"""The letter font, shipped by a pinned PyPI package so no output depends on system fonts."""

from __future__ import annotations

from importlib import resources

FAMILY = "Source Sans Pro"
# (file, CSS weight, CSS style)
_FACES = (
    ("SourceSansPro-Regular.ttf", 400, "normal"),
    ("SourceSansPro-It.ttf", 400, "italic"),
    ("SourceSansPro-Semibold.ttf", 600, "normal"),
    ("SourceSansPro-Bold.ttf", 700, "normal"),
)


def font_files() -> list:
    folder = resources.files("font_source_sans_pro") / "files"
    return [folder / name for name, _, _ in _FACES]


def upright_font_files() -> list:
    """The faces record text is set in (no template sets it in italics)."""
    return [
        file for file, (_, _, style) in zip(font_files(), _FACES, strict=True) if style == "normal"
    ]


def font_face_css() -> str:
    """@font-face rules pointing at the installed font files."""
    rules = []
    for file, (_, weight, style) in zip(font_files(), _FACES, strict=True):
        rules.append(
            f'@font-face {{ font-family: "{FAMILY}"; src: url("{file.as_uri()}"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)
