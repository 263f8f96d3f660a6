"""The same inputs give byte-identical PDFs, in separate processes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import REPO, bundled_councils, bundled_years

# Slow: builds and renders letters again in other processes, to compare their bytes.
pytestmark = pytest.mark.slow

# A bundled letter of every bundled year: slug → year.
LETTERS = {bundled_councils(year)[0]: year for year in bundled_years()}


def sha256(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


def test_a_second_build_in_another_process_gives_the_same_bytes(
    built_letters: Path, tmp_path: Path
) -> None:
    # Another process, another working directory, another time zone, another day.
    env = {**os.environ, "TZ": "Pacific/Auckland"}
    env.pop("SOURCE_DATE_EPOCH", None)
    for slug, year in LETTERS.items():
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "lgo_letters",
                "build",
                str(year),
                "--only",
                slug,
                "--format",
                "pdf",
                "--data",
                str(REPO / "data"),
                "--templates",
                str(REPO / "templates"),
                "--out",
                str(tmp_path),
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        first = built_letters / str(year) / f"{slug}.pdf"
        assert sha256(tmp_path / str(year) / f"{slug}.pdf") == sha256(first), slug


# Renders one letter the way a machine without libharfbuzz-subset does: WeasyPrint then
# subsets fonts with fontTools, which stamps the time into each subset unless told the date.
_WITHOUT_HARFBUZZ_SUBSET = """
import logging
import sys
from pathlib import Path
import time
import weasyprint.pdf.fonts
weasyprint.pdf.fonts.harfbuzz_subset = None
# The clock this run sees (fontTools stamps subsets with the time unless told the date).
_now = float(sys.argv[4])
time.time = lambda: _now
logging.basicConfig()  # WeasyPrint's warnings to stderr
from lgo_letters.renderer.pdf import PdfRenderer
html = Path(sys.argv[1]).read_text(encoding="utf-8")
Path(sys.argv[2]).write_bytes(PdfRenderer(Path(sys.argv[3])).render(html))
"""


def test_the_fonttools_fallback_is_reproducible_too(built_letters: Path, tmp_path: Path) -> None:
    year, slug = next((year, slug) for slug, year in LETTERS.items())
    html = built_letters / str(year) / f"{slug}.html"
    outputs = []
    # Two runs whose clocks are a year and a second apart.
    for run, clock in ((1, time.time()), (2, time.time() + 366 * 86400 + 1)):
        output = tmp_path / f"run{run}.pdf"
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                _WITHOUT_HARFBUZZ_SUBSET,
                str(html),
                str(output),
                str(REPO / "templates"),
                str(clock),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert "Using fontTools" in result.stderr  # the fallback really ran
        outputs.append(sha256(output))
    assert outputs[0] == outputs[1]


def test_the_reused_parsed_stylesheet_gives_the_bytes_of_a_whole_document(
    built_letters: Path,
) -> None:
    # A renderer gets a letter's document and its stylesheet apart, parses the stylesheet
    # once and passes it to WeasyPrint for every letter; the PDF must be exactly what
    # WeasyPrint makes of the whole HTML file (the stylesheet inline), as `build` wrote it.
    from weasyprint import HTML

    from lgo_letters.letter import Letter, make_letter
    from lgo_letters.project import Paths, prepare_year
    from lgo_letters.renderer.pdf import PDF_OPTIONS, PdfRenderer, finish_tagging

    renderer = PdfRenderer(REPO / "templates")
    paths = Paths(REPO / "data", REPO / "templates")
    for slug, year in LETTERS.items():
        letter = make_letter(prepare_year(paths, year, [slug]), slug)
        assert isinstance(letter, Letter), letter
        html = (built_letters / str(year) / f"{slug}.html").read_text(encoding="utf-8")
        assert letter.html == html
        whole = HTML(string=html, base_url=renderer.base_url).render(
            stylesheets=[renderer.font_css], font_config=renderer.font_config, **PDF_OPTIONS
        )
        for _ in range(2):  # parsed on the first letter, reused on the second
            made = renderer.render(letter.document, letter.stylesheet)
            assert made == whole.write_pdf(finisher=finish_tagging, **PDF_OPTIONS), slug
    assert len(renderer._stylesheets) == 1  # both years share one stylesheet, parsed once
