"""PDF pages → images, with pypdfium2 (PDFium in a wheel: no system poppler needed)."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

POINTS_PER_INCH = 72
PREVIEW_DPI = 96


def page_images(pdf: bytes | Path, dpi: float = PREVIEW_DPI) -> list[Image.Image]:
    """Each page of a PDF, drawn on white at `dpi` (A4 at 96 dpi is 794 x 1123 pixels)."""
    document = pdfium.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
    try:
        return [
            page.render(scale=dpi / POINTS_PER_INCH, may_draw_forms=False).to_pil()
            for page in document
        ]
    finally:
        document.close()


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def page_png_name(stem: str, page_number: int) -> str:
    """`harborough-page1.png`: page numbers count from 1, as a reader counts them."""
    return f"{stem}-page{page_number}.png"
