"""Reading built PDFs for the print-quality tests: fonts, tags, metadata, lines and ink."""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from lgo_letters.renderer.raster import page_images
from tests.textutil import collapse

MM = 72 / 25.4  # PDF points per millimetre
A4_POINTS = (210 * MM, 297 * MM)
DRAFT_MARK = "DRAFT"


def embedded_fonts(pdf: Path) -> dict[str, bool]:
    """Every font object anywhere in the PDF (pages, SVG forms, patterns): name → embedded."""
    reader = pypdf.PdfReader(pdf)
    fonts: dict[str, bool] = {}
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # free or compressed-away object numbers
            continue
        if isinstance(obj, DictionaryObject) and obj.get("/Type") == "/FontDescriptor":
            embedded = any(k in obj for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(obj["/FontName"])] = embedded
        elif isinstance(obj, DictionaryObject) and obj.get("/Type") == "/Font":
            fonts.setdefault(str(obj["/BaseFont"]), obj.get("/Subtype") == "/Type0")
    return fonts


@dataclass
class StructElem:
    tag: str  # "H1", "P", "Figure", …
    page: int | None  # 0-based page index, where the element names one
    alt: str | None
    children: list[StructElem]
    mcids: list[int]  # the element's own marked content on its page (see marked_text)
    annotations: list[DictionaryObject] = field(default_factory=list)  # via /OBJR kids

    def walk(self) -> Iterator[StructElem]:
        yield self
        for child in self.children:
            yield from child.walk()


def structure_tree(pdf: Path) -> StructElem:
    """The PDF's tagged structure, from /StructTreeRoot."""
    reader = pypdf.PdfReader(pdf)
    pages = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}

    def build(node: DictionaryObject) -> StructElem:
        kids = node.get("/K")
        kids = kids if isinstance(kids, ArrayObject) else [kids] if kids is not None else []
        children, mcids, annotations = [], [], []
        for kid in kids:
            kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(kid, DictionaryObject) and "/S" in kid:
                children.append(build(kid))
            elif isinstance(kid, DictionaryObject) and kid.get("/Type") == "/OBJR":
                annotations.append(kid["/Obj"].get_object())
            elif isinstance(kid, int):
                mcids.append(kid)
        page_ref = node.get("/Pg")
        return StructElem(
            tag=str(node.get("/S", "/StructTreeRoot"))[1:],
            page=pages.get(page_ref.idnum) if isinstance(page_ref, IndirectObject) else None,
            alt=str(node["/Alt"]) if "/Alt" in node else None,
            children=children,
            mcids=mcids,
            annotations=annotations,
        )

    return build(reader.trailer["/Root"]["/StructTreeRoot"].get_object())


def marked_text(pdf: Path) -> tuple[list[str], list[str]]:
    """What a screen reader meets, and what it skips: the text of each tagged element, in
    structure tree order, and each page's artifact text."""
    reader = pypdf.PdfReader(pdf)
    by_mcid: dict[tuple[int, int], str] = {}
    artifacts = []
    for number, page in enumerate(reader.pages):
        open_marks: list[tuple[str, int | None]] = []  # (tag, MCID) of each open BDC/BMC
        skipped: list[str] = []

        def before(operator, operands, *_, marks=open_marks):
            if operator in (b"BDC", b"BMC"):
                properties = operands[1] if len(operands) > 1 else None
                mcid = properties.get("/MCID") if isinstance(properties, DictionaryObject) else None
                marks.append((str(operands[0]), mcid))
            elif operator == b"EMC" and marks:
                marks.pop()

        def text(chunk, *_, number=number, marks=open_marks, skipped=skipped):
            if any(tag == "/Artifact" for tag, _ in marks):
                skipped.append(chunk)
                return
            mcid = next((m for _, m in reversed(marks) if m is not None), None)
            if mcid is not None:
                by_mcid[number, mcid] = by_mcid.get((number, mcid), "") + chunk

        page.extract_text(visitor_operand_before=before, visitor_text=text)
        artifacts.append(collapse("".join(skipped)))

    tagged = (
        collapse(by_mcid.get((element.page, mcid), ""))
        for element in structure_tree(pdf).walk()
        for mcid in element.mcids
    )
    return [t for t in tagged if t], artifacts


@cache  # each built PDF is read once per session; callers must not change the lists
def page_lines(pdf: Path) -> list[list[str]]:
    """Each page's text lines, whitespace collapsed, the DRAFT watermark left out."""
    reader = pypdf.PdfReader(pdf)
    pages = []
    for page in reader.pages:
        lines = [collapse(line) for line in (page.extract_text() or "").split("\n")]
        pages.append([line for line in lines if line and line != DRAFT_MARK])
    return pages


def page_texts(pdf: Path) -> list[str]:
    """Each page's text on one line, without the DRAFT watermark."""
    return [" ".join(lines) for lines in page_lines(pdf)]


def html_blocks(letter_html: str, tags: str = "p|li|h1|h2|h3") -> list[str]:
    """The text of each block (by default <p>, <li> and headings) of a built HTML letter
    (our own, well-formed output)."""
    blocks = re.findall(rf"<({tags})\b[^>]*>(.*?)</\1>", letter_html, flags=re.DOTALL)
    return [collapse(html.unescape(re.sub(r"<[^>]+>", "", body))) for _, body in blocks]


@dataclass(frozen=True)
class PageBreak:
    page: int  # the page the break ends, 1-based
    last_line: str  # of that page
    first_line: str  # of the next
    paragraph: str | None  # the start of the paragraph it splits; None: between blocks
    lines_before: int = 0  # of that paragraph, on each side of the break
    lines_after: int = 0


def page_breaks(pdf: Path, letter_html: str) -> list[PageBreak]:
    """Every page break of the PDF, placed in the letter: inside a paragraph (with how many
    of its lines fall on each side) or between blocks. A break that is neither, because
    the PDF's lines are not found in the HTML, fails: no break goes unchecked."""
    paragraphs = html_blocks(letter_html, "p|li")
    blocks = html_blocks(letter_html)
    breaks = []
    for number, (before, after) in enumerate(itertools.pairwise(page_lines(pdf)), start=1):
        assert before and after, f"{pdf.name}: page {number} or {number + 1} has no text"
        last, first = before[-1], after[0]
        joined = f"{last} {first}"
        split = next((p for p in paragraphs if joined in p and not p.endswith(last)), None)
        if split is not None:
            # Lines of this paragraph on each page: the longest tail of one page that
            # starts the paragraph, the longest head of the next that ends it.
            on_before = max(
                (n for n in range(1, len(before) + 1) if split.startswith(" ".join(before[-n:]))),
                default=0,
            )
            on_after = max(
                (n for n in range(1, len(after) + 1) if split.endswith(" ".join(after[:n]))),
                default=0,
            )
            breaks.append(PageBreak(number, last, first, split[:40], on_before, on_after))
            continue
        ends_a_block = any(block.endswith(last) for block in blocks)
        starts_a_block = any(block.startswith(first) for block in blocks)
        assert ends_a_block and starts_a_block, (
            f"{pdf.name}: the break after page {number} ({last!r} | {first!r}) is neither "
            "inside a paragraph nor between blocks of the HTML letter"
        )
        breaks.append(PageBreak(number, last, first, None))
    return breaks


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float  # points from the page's top-left corner


def ink_boxes(pdf: Path) -> list[Box | None]:
    """Per page, the box around every pixel that is not white, in points (None: blank page)."""
    dpi = 72  # one pixel per point
    boxes = []
    for image in page_images(pdf, dpi=dpi):
        # Anything visibly darker than paper counts as ink (anti-aliasing included).
        mask = image.convert("L").point(lambda value: 255 if value < 250 else 0)
        bbox = mask.getbbox()
        boxes.append(Box(*bbox) if bbox else None)
    return boxes


def text_box(pdf: Path, page_index: int, text: str) -> Box | None:
    """Where `text` first appears on a page, in points from the page's top-left corner."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        page = document[page_index]
        height = page.get_height()
        textpage = page.get_textpage()
        found = textpage.search(text, match_case=True).get_next()
        if found is None:
            return None
        index, count = found
        chars = [textpage.get_charbox(i) for i in range(index, index + count)]
        return Box(
            left=min(c[0] for c in chars),
            top=height - max(c[3] for c in chars),
            right=max(c[2] for c in chars),
            bottom=height - min(c[1] for c in chars),
        )
    finally:
        document.close()


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    document = pdfium.PdfDocument(str(pdf))
    try:
        return [tuple(page.get_size()) for page in document]
    finally:
        document.close()
