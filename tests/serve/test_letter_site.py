"""What `serve` shows, without the HTTP server: LetterSite's pages for the year's records,
problems in them, and a fresh look at the files only when told they changed."""

from __future__ import annotations

import re
from pathlib import Path

from lgo_letters.letter import Letter, make_letter
from lgo_letters.project import Paths, prepare_year
from lgo_letters.serve.site import HTML, UNPROCESSABLE, LetterSite
from tests.records import council, write_council
from tests.textutil import html_text

YEAR = 2021


def site_of(project: Path, year: int = YEAR) -> LetterSite:
    return LetterSite(Paths(project / "data", project / "templates", project / "out"), year)


def text(page_body: bytes) -> str:
    return " ".join(html_text(page_body.decode("utf-8")).split())


def row(site: LetterSite, slug: str) -> str:
    index = site.index().body.decode("utf-8")
    found = re.search(rf'<tr id="council-{slug}">(.*?)</tr>', index, re.DOTALL)
    assert found, f"no row for {slug}"
    return " ".join(html_text(found.group(1)).split())


def test_the_index_lists_each_council_with_its_rates(project: Path) -> None:
    write_council(project, "testshire", council(draft=True), year=YEAR)
    write_council(
        project,
        "nocases",
        council(
            name="Nocases Council",
            statistics={"investigations": 0, "upheld": 0, "satisfactory_remedies": 0},
        ),
        year=YEAR,
    )
    site = site_of(project)
    page = site.index()
    assert (page.status, page.content_type) == (200, HTML)
    # 5 of 10 upheld, 4 of 4 complied, 1 of 5 remedied; a draft is marked as one.
    assert row(site, "testshire") == "Testshire District Council district 50% 100% 20% draft PDF"
    assert row(site, "nocases").startswith("Nocases Council district no cases 100% no cases")
    assert 'href="/testshire.pdf"' in page.body.decode()


def test_a_letter_is_the_letter_build_writes(project: Path) -> None:
    write_council(project, "testshire", council(), year=YEAR)
    page = site_of(project).letter("testshire")
    paths = Paths(project / "data", project / "templates", project / "out")
    letter = make_letter(prepare_year(paths, YEAR, ["testshire"]), "testshire")
    assert isinstance(letter, Letter), letter
    assert (page.status, page.content_type) == (200, HTML)
    assert page.body.decode("utf-8") == letter.html


def test_files_are_read_again_only_after_invalidate(project: Path) -> None:
    record = write_council(project, "testshire", council(), year=YEAR)
    site = site_of(project)
    assert "50% of complaints we investigated were upheld" in text(site.letter("testshire").body)
    write_council(project, "testshire", council(statistics={"upheld": 6}), year=YEAR)
    assert "50% of complaints" in text(site.letter("testshire").body)  # one snapshot
    site.invalidate()
    assert "60% of complaints we investigated were upheld" in text(site.letter("testshire").body)
    record.unlink()
    site.invalidate()
    assert site.letter("testshire").status == 404


def test_a_bad_record_is_a_page_naming_the_problem_and_costs_only_its_letter(
    project: Path,
) -> None:
    bad = write_council(project, "testshire", council(statistics={"upheld": 11}), year=YEAR)
    write_council(project, "goodshire", council(name="Goodshire Council"), year=YEAR)
    site = site_of(project)
    page = site.letter("testshire")
    assert page.status == UNPROCESSABLE
    assert f"{bad} 7 statistics.upheld 11 upheld decisions but only 10" in text(page.body)
    assert site.pdf("testshire").status == UNPROCESSABLE  # and no PDF either
    assert "11 upheld decisions" in row(site, "testshire")
    assert site.letter("goodshire").status == 200
    assert site.problem_count() == 1


def test_a_year_file_problem_stops_every_letter_and_shows_on_the_index(project: Path) -> None:
    write_council(project, "testshire", council(), year=YEAR)
    year_file = project / "data" / str(YEAR) / "year.yaml"
    year_file.write_text(year_file.read_text().replace("letter_date: 2021-07-21", "letter_date: x"))
    site = site_of(project)
    assert site.letter("testshire").status == UNPROCESSABLE
    assert f"{year_file} 1 letter_date" in text(site.letter("testshire").body)
    assert "year.yaml has problems" in row(site, "testshire")


def test_a_template_error_names_the_template_and_line(project: Path) -> None:
    write_council(project, "testshire", council(), year=YEAR)
    template = project / "templates" / str(YEAR) / "letter.html.j2"
    source = template.read_text(encoding="utf-8")
    line = source[: source.index("{% block opening %}")].count("\n") + 1
    template.write_text(
        source.replace("{% block opening %}", "{% block opening %}{{ letter.no_such_field }}"),
        encoding="utf-8",
    )
    page = site_of(project).letter("testshire")
    assert page.status == UNPROCESSABLE
    assert f"{template}:{line}:" in page.body.decode("utf-8")
    assert "no_such_field" in page.body.decode("utf-8")


def test_an_unknown_council_is_a_404_listing_the_years_letters(project: Path) -> None:
    councils = sorted(p.stem for p in (project / "data" / str(YEAR) / "councils").glob("*.yaml"))
    page = site_of(project).letter("atlantis")
    assert page.status == 404
    assert re.findall(r'<li><a href="/([a-z0-9-]+)">', page.body.decode()) == councils


def test_a_year_that_cannot_be_prepared_is_said_on_every_page(project: Path) -> None:
    site = site_of(project, 1999)
    index = site.index()
    assert index.status == 200
    assert "The year cannot be prepared" in text(index.body)
    assert "unknown year 1999" in text(index.body)
    assert site.letter("testshire").status == UNPROCESSABLE
    assert site.problem_count() == 1
