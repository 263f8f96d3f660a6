"""HTML letter → PDF, with WeasyPrint: tagged (PDF/UA-1) and byte-for-byte reproducible.

A PdfRenderer holds what is costly to set up (font configuration, parsed font CSS, the
parsed letter stylesheet, decoded images) so a build makes one and reuses it for every letter.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pydyf
from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration

from lgo_letters.fonts import font_face_css

# PDF/UA-1 tags headings, paragraphs, lists and figures (with their alt text), sets /Lang
# from <html lang>, shows <title> as the window title and adds XMP metadata. Measured on
# the seed letters it costs no more than plain pdf_tags (both within a few % of untagged).
# No /ID in the trailer: PDF/UA-1 does not require one, and pydyf computes it by
# serialising and recompressing the whole PDF a second time (about 7% of each letter).
# Without it nothing in the file varies between runs, so the same letter gives the same bytes.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}

_PARSED_STYLESHEETS_KEPT = 4  # a build uses one; `serve` sees a few while CSS is edited


class PdfRenderer:
    def __init__(self, base_dir: Path):
        # Relative URLs in a letter (there should be none: it is self-contained) resolve here.
        self.base_url = base_dir.resolve().as_uri() + "/"
        self.font_config = FontConfiguration()
        self.font_css = CSS(string=font_face_css(), font_config=self.font_config)
        # Decoded images (icons, wordmark, signature: the same in every letter) are kept
        # across the letters this renderer makes.
        self.image_cache: dict = {}
        self._stylesheets: OrderedDict[str, CSS] = OrderedDict()

    def render(self, html: str, stylesheet: str | None = None) -> bytes:
        return self.render_counted(html, stylesheet)[0]

    def render_counted(self, html: str, stylesheet: str | None = None) -> tuple[bytes, int]:
        """The PDF's bytes and its page count (known from layout, so no need to re-read).

        `stylesheet` (CSS text) applies after the document's own styles, as it does at the
        end of <head> in the HTML file; it is parsed once however many letters share it.
        """
        stylesheets = [] if stylesheet is None else [self._parsed(stylesheet)]
        document = HTML(string=html, base_url=self.base_url).render(
            stylesheets=[*stylesheets, self.font_css],
            font_config=self.font_config,
            cache=self.image_cache,
            **PDF_OPTIONS,
        )
        # /CreationDate and /ModDate come from the letter's dcterms.created/modified metas.
        with _source_date_epoch(document.metadata.modified):
            return document.write_pdf(finisher=finish_tagging, **PDF_OPTIONS), len(document.pages)

    def _parsed(self, stylesheet: str) -> CSS:
        """The stylesheet parsed, from the few most recently used (parsing is ~4% of a
        letter, and every letter of a year has the same one)."""
        parsed = self._stylesheets.pop(stylesheet, None) or CSS(
            string=stylesheet, base_url=self.base_url, font_config=self.font_config
        )
        self._stylesheets[stylesheet] = parsed  # most recently used last
        while len(self._stylesheets) > _PARSED_STYLESHEETS_KEPT:
            self._stylesheets.popitem(last=False)
        return parsed


def finish_tagging(document: Document, pdf: pydyf.PDF) -> None:
    """The last touches to WeasyPrint's tags, just before the PDF is written.

    - Each link annotation's /Contents (what a screen reader announces for it) is the
      link's `title`, else its text; WeasyPrint writes the bare URL.
    - Structure elements with no content are taken out of the tree. WeasyPrint tags every
      box, so decoration drawn as a background (a panel's icon, the DRAFT watermark, the
      list bullet) left an empty /Div or /NonStruct; the drawing itself is an artifact.
    """
    for page in document.pages:
        for _type, _target, _rectangle, box in page.links:
            annotation = getattr(box, "link_annotation", None)
            if annotation is not None and box.element is not None:
                text = " ".join("".join(box.element.itertext()).split())
                annotation["Contents"] = pydyf.String(box.element.get("title") or text)
    if "StructTreeRoot" in pdf.catalog:
        root = _pdf_object(pdf, pdf.catalog["StructTreeRoot"])
        _prune_empty(pdf, root)


def _pdf_object(pdf: pydyf.PDF, reference: bytes | str) -> object:
    """The object an indirect reference (b"12 0 R") names."""
    text = reference.decode() if isinstance(reference, bytes) else reference
    return pdf.objects[int(text.split()[0])]


def _prune_empty(pdf: pydyf.PDF, element: pydyf.Dictionary) -> bool:
    """Drop the structure elements under `element` that hold no content (no marked
    content, no annotation, no child that holds some); True if `element` holds some."""
    kids = element.get("K")
    if kids is None:
        return False
    if not isinstance(kids, list):  # a single kid
        kids = pydyf.Array([kids])
        element["K"] = kids
    kept = []
    for kid in kids:
        if isinstance(kid, int):  # an MCID: marked content on the element's page
            kept.append(kid)
            continue
        child = _pdf_object(pdf, kid)
        if not isinstance(child, pydyf.Dictionary):
            kept.append(kid)
        elif child.get("Type") == "/StructElem":
            if _prune_empty(pdf, child):
                kept.append(kid)
        else:  # an object reference (/OBJR: an annotation) or marked-content reference
            kept.append(kid)
    kids[:] = kept
    return bool(kept)


@contextmanager
def _source_date_epoch(modified: str | None) -> Iterator[None]:
    """Stamp font subsets with the letter's date instead of the clock.

    Without libharfbuzz-subset, WeasyPrint subsets fonts with fontTools, which writes the
    current time into each subset's `head` table unless SOURCE_DATE_EPOCH is set.
    """
    if not modified:
        yield
        return
    stamp = datetime.fromisoformat(modified)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(stamp.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
