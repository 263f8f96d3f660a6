"""The command line: outputs on disk, messages and exit codes (run in this process through
typer's CliRunner, as test_errors_*.py do; the entry point itself runs in child processes in
test_preview.py, test_interrupt.py and test_serve_http.py)."""

from __future__ import annotations

from contextlib import chdir
from pathlib import Path

import pytest

from tests.errorcases import Run, invoke
from tests.helpers import bundled_councils, bundled_years, year_without_templates
from tests.textutil import html_text, pdf_pages
from tests.years import year_file


def cli(folder: Path, *args: str) -> Run:
    """The command line, run in this process from `folder` (folders default to data/,
    templates/ and output/ there)."""
    with chdir(folder):
        return invoke(*args)


FOLDERS = ("--data", "data", "--templates", "templates", "--out", "output")


@pytest.mark.parametrize("command", ["build", "preview", "validate", "averages", None])
def test_help_on_every_command(command: str | None) -> None:
    result = invoke(*([command] if command else []), "--help")
    assert result.code == 0
    assert "Usage:" in result.stdout


def test_build_writes_html_and_pdf_for_every_bundled_council(built_letters: Path) -> None:
    for year in bundled_years():
        slugs = bundled_councils(year)
        assert slugs, f"data/{year}/councils/ has no records"
        assert sorted(p.name for p in (built_letters / str(year)).iterdir()) == sorted(
            [f"{slug}.{ext}" for slug in slugs for ext in ("html", "pdf")] + ["manifest.json"]
        )
        for slug in slugs:
            assert (built_letters / str(year) / f"{slug}.pdf").read_bytes().startswith(b"%PDF-")


def test_pdf_is_an_a4_letter_with_the_statistics_on_the_last_page(built_letters: Path) -> None:
    import pypdf

    reader = pypdf.PdfReader(built_letters / "2020" / "harborough.pdf")
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 in points
    pages = pdf_pages(built_letters / "2020" / "harborough.pdf")
    assert "Local Government & Social Care OMBUDSMAN" in pages[0]
    assert "22 July 2020 By email Mrs Jolly & Mr Proudfoot Directors" in pages[0]
    assert pages[-1].startswith("Harborough District Council For the period ending: 31/03/20")
    assert "Yours sincerely" not in pages[-1]


def test_draft_pdf_is_marked_on_every_page(built_letters: Path) -> None:
    pages = pdf_pages(built_letters / "2020" / "dacorum.pdf")
    assert all("DRAFT" in page for page in pages)
    assert not any("DRAFT" in page for page in pdf_pages(built_letters / "2020" / "harborough.pdf"))


def test_only_and_format(project: Path) -> None:
    result = cli(project, "build", "2020", "--only", "harborough", "--format", "html", *FOLDERS)
    assert result.code == 0, result.stderr
    assert sorted(p.name for p in (project / "output" / "2020").iterdir()) == [
        "harborough.html",
        "manifest.json",
    ]


def test_preview_writes_one_letter_and_prints_its_path(project: Path) -> None:
    result = cli(project, "preview", "2021", "dartford", *FOLDERS)
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "output/2021/dartford.html"
    text = html_text((project / "output/2021/dartford.html").read_text())
    assert "Dear Mrs Martin" in text


@pytest.mark.slow  # lays out a PDF: WeasyPrint's start-up
def test_preview_pdf(project: Path) -> None:
    result = cli(project, "preview", "2021", "dartford", "--pdf", *FOLDERS)
    assert result.code == 0, result.stderr
    assert result.stdout.split() == ["output/2021/dartford.html", "output/2021/dartford.pdf"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("build", "2019"), "unknown year 2019"),
        (("build", "2020", "--data", "nowhere"), "no data folder at nowhere"),
        (("build", "2020", "--templates", "nowhere"), "no templates folder at nowhere"),
        (("build", "2020", "--only", "atlantis"), "no council record for atlantis in 2020"),
        (("build", "2020", "--only", "../../etc"), "'../../etc' is not a council slug"),
        (("build", "2020", "--format", "docx"), "'docx' is not one of"),
        (("preview", "2020", "atlantis"), "no council record for atlantis"),
        (("averages", "1999"), "unknown year 1999"),
        (("validate", "1999"), "unknown year 1999"),
    ],
)
def test_usage_errors_exit_2(project: Path, args: tuple[str, ...], message: str) -> None:
    result = cli(project, *args)
    assert result.code == 2
    assert message in result.stderr


def test_year_without_a_template_is_a_usage_error(project: Path) -> None:
    year = year_without_templates(project)
    (project / "data" / str(year)).mkdir()
    (project / "data" / "2020" / "year.yaml").rename(project / "data" / str(year) / "year.yaml")
    result = cli(project, "build", str(year), *FOLDERS)
    assert result.code == 2
    assert f"templates/{year}/letter.html.j2" in result.stderr
    assert f"there is no letter template for {year}" in result.stderr


def test_averages_shows_given_and_computed_side_by_side(project: Path) -> None:
    result = cli(project, "averages", "2020")
    assert result.code == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "district" in line)
    # Given 45/99/20; computed from the four 2020 records: 17/26 → 65%, 13/13 → 100%,
    # 3/17 → 18%.
    for cell in ("45% / 65%", "99% / 100%", "20% / 18%", "given"):
        assert cell in row


def test_missing_average_is_computed_from_the_years_records(project: Path) -> None:
    year_path = project / "data/2020/year.yaml"
    year_path.write_text(year_file(2020))
    result = cli(project, "build", "2020", "--only", "harborough", "--format", "html", *FOLDERS)
    assert result.code == 0, result.stderr
    text = html_text((project / "output/2020/harborough.html").read_text())
    assert "This compares to an average of 65% in similar authorities." in text
    assert "This compares to an average of 100% in similar authorities." in text
    assert "This compares to an average of 18% in similar authorities." in text
    averages = cli(project, "averages", "2020", "--data", "data", "--templates", "templates")
    row = next(line for line in averages.stdout.splitlines() if "district" in line)
    assert "– / 65%" in row and "computed" in row


@pytest.mark.parametrize(
    "text",
    [
        "ashby: valid · built · approved (Jane Smith, 2021-07-20T10:03:00+00:00) · not sent",
        "a long line " * 2_000 + "\n\nand  trailing spaces  \n" + "Ynys Môn: ŵ ✓ [bold]x[/bold]",
        "a council called :smile: or :thumbs_up:",  # rich makes these emoji
        "a bell\x07, a carriage return\r, a tab\t and a form feed\x0c",
        "",
    ],
)
def test_plain_text_is_printed_as_rich_prints_it(text: str) -> None:
    # print_text writes 20,000 lines of `status` at once, rather than through rich: the
    # same characters either way.
    from io import StringIO

    from rich.console import Console

    from lgo_letters.report import print_text

    def printed(through_rich: bool) -> str:
        console = Console(file=StringIO(), highlight=False, soft_wrap=True)
        if through_rich:
            console.print(text, markup=False)
        else:
            print_text(console, text)
        return console.file.getvalue()  # type: ignore[attr-defined]

    assert printed(through_rich=False) == printed(through_rich=True)
