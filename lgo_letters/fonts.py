"""The letter font, shipped by a pinned PyPI package so no output depends on system fonts."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

FAMILY = "Source Sans Pro"


@dataclass(frozen=True)
class FontFace:
    file: str  # in the font package's files/ folder
    weight: int  # CSS font-weight
    style: str  # CSS font-style


FACES = (
    FontFace("SourceSansPro-Regular.ttf", 400, "normal"),
    FontFace("SourceSansPro-It.ttf", 400, "italic"),
    FontFace("SourceSansPro-Semibold.ttf", 600, "normal"),
    FontFace("SourceSansPro-Bold.ttf", 700, "normal"),
)


def font_file(name: str):
    return resources.files("font_source_sans_pro") / "files" / name


def font_files() -> list:
    return [font_file(face.file) for face in FACES]


def upright_font_files() -> list:
    """The faces record text is set in (no template sets it in italics)."""
    return [font_file(face.file) for face in FACES if face.style == "normal"]


def font_face_css() -> str:
    """@font-face rules pointing at the installed font files."""
    rules = []
    for face in FACES:
        rules.append(
            f'@font-face {{ font-family: "{FAMILY}"; src: url("{font_file(face.file).as_uri()}"); '
            f"font-weight: {face.weight}; font-style: {face.style}; }}"
        )
    return "\n".join(rules)
