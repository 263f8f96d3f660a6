"""Comparing two pictures of a page, and a picture of where they differ."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageFilter, ImageOps

# A pixel counts as changed when its grey differs by more than this (of 255). Pages are
# kept in 16 greys, steps of 16, so any change of step counts: a faint mark such as the
# DRAFT watermark is one step from white.
CHANGE_THRESHOLD = 0
_HIGHLIGHT = (220, 0, 40)
_GAP = 6


def open_png(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("L")


@dataclass(frozen=True)
class PageChange:
    page: int  # 1-based
    share: float  # of the page's pixels that changed, 0..1
    image: Image.Image  # golden | current | current with changes highlighted

    @property
    def percent(self) -> str:
        return f"{self.share * 100:.2f}%"


def _blank(size: tuple[int, int]) -> Image.Image:
    return Image.new("L", size, 255)


def _on_canvas(image: Image.Image | None, size: tuple[int, int]) -> Image.Image:
    canvas = _blank(size)
    if image is not None:
        canvas.paste(image, (0, 0))
    return canvas


def compare_page(
    page: int, golden: Image.Image | None, current: Image.Image | None
) -> PageChange | None:
    """None when the pages match; a page only one side has is wholly changed."""
    sized = [i for i in (golden, current) if i is not None]
    size = (max(i.width for i in sized), max(i.height for i in sized))
    before, after = _on_canvas(golden, size), _on_canvas(current, size)
    if golden is None or current is None:
        mask = Image.new("L", size, 255)
    else:
        mask = ImageChops.difference(before, after).point(
            lambda v: 255 if v > CHANGE_THRESHOLD else 0
        )
    changed = mask.histogram()[255]
    if not changed:
        return None
    # The current page, faded, with every changed pixel in red (grown a little to be seen).
    faded = ImageOps.colorize(after, black=(150, 150, 150), white=(255, 255, 255))
    marks = mask.filter(ImageFilter.MaxFilter(3))
    highlighted = Image.composite(Image.new("RGB", size, _HIGHLIGHT), faded, marks)
    triptych = Image.new("RGB", (size[0] * 3 + _GAP * 2, size[1]), (90, 90, 90))
    for column, image in enumerate((before.convert("RGB"), after.convert("RGB"), highlighted)):
        triptych.paste(image, (column * (size[0] + _GAP), 0))
    return PageChange(page, changed / (size[0] * size[1]), triptych)


def compare_pages(golden: list[bytes | None], current: list[Image.Image]) -> list[PageChange]:
    """Every page that differs, page by page; extra or missing pages count as changed."""
    changes = []
    for index in range(max(len(golden), len(current))):
        png = golden[index] if index < len(golden) else None
        before = open_png(png) if png is not None else None
        after = current[index] if index < len(current) else None
        change = compare_page(index + 1, before, after)
        if change is not None:
            changes.append(change)
    return changes
