"""Every PDF embeds the bundled Source Sans Pro and no other font."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import SEED_LETTERS
from tests.pdfutil import embedded_fonts

# A subset tag (six capitals and "+") and the family as WeasyPrint names it.
SOURCE_SANS_PRO = re.compile(r"^/[A-Z]{6}\+Source-Sans-Pro(-Semi-Bold|-Bold|-It)?$")


def test_only_source_sans_pro_is_embedded(built_letters: Path, long_names_letters: Path) -> None:
    pdfs = [built_letters / str(year) / f"{slug}.pdf" for slug, (year, _) in SEED_LETTERS.items()]
    pdfs += [long_names_letters / str(year) / "long-names.pdf" for year in (2020, 2021)]
    for pdf in pdfs:
        fonts = embedded_fonts(pdf)
        assert fonts, f"{pdf.name}: no fonts found"
        # Regular for the text, Semibold and Bold for headings, figures and the wordmark.
        families = {
            SOURCE_SANS_PRO.match(name).group(1) for name in fonts if SOURCE_SANS_PRO.match(name)
        }
        assert families >= {None, "-Bold", "-Semi-Bold"}, (pdf.name, fonts)
        others = [name for name in fonts if not SOURCE_SANS_PRO.match(name)]
        assert others == [], f"{pdf.name} embeds other fonts: {others}"
        assert all(fonts.values()), f"{pdf.name}: a font is referenced but not embedded"
