"""`lgo-letters preview YEAR SLUG --png` writes the PDF and each page as a PNG."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import run_cli

# Slow: runs `lgo-letters preview --png` in a child process and rasterises every page.
pytestmark = pytest.mark.slow

A4_AT_96_DPI = (794, 1123)


def test_preview_png_writes_every_page(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    stale = out / "2020" / "harborough-page4.png"  # left by an older, longer render
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")

    result = run_cli("preview", "2020", "harborough", "--png", "--out", str(out), cwd=project)

    assert result.returncode == 0, result.stderr
    folder = out / "2020"
    pages = [folder / f"harborough-page{n}.png" for n in (1, 2, 3)]
    printed = result.stdout.split()
    for file in [folder / "harborough.html", folder / "harborough.pdf", *pages]:
        assert str(file) in printed
    assert not stale.exists()
    for page in pages:
        with Image.open(page) as image:
            assert image.format == "PNG"
            assert image.size == A4_AT_96_DPI
            # Not blank: some dark ink (text) and some of the brand green.
            colours = {colour for _, colour in image.convert("RGB").getcolors(1 << 20)}
            assert any(sum(c) < 150 for c in colours)
            assert any(g > r + 40 and g > b - 10 and r < 60 for r, g, b in colours)
