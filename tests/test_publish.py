"""`lgo-letters publish YEAR --to DIR` on real built letters of made-up councils."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from tests.release import COUNCILS, YEAR, change_record, lgo

pytestmark = pytest.mark.slow  # builds letters (once a session)


def make_publishable(root: Path) -> None:
    """Elsworth's figures confirmed: no draft left; then every letter approved."""
    record_file = root / "data" / str(YEAR) / "councils" / "elsworth.yaml"
    record = yaml.safe_load(record_file.read_text())
    record["draft"] = False
    record_file.write_text(yaml.safe_dump(record))
    built = lgo(root, "build", "--only", "elsworth")
    assert built.code == 0, built.stderr
    approved = lgo(root, "approve", "--all", "--by", "Jane Smith")
    assert approved.code == 0, approved.stderr


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.lang = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a":
            self.links.append(attributes["href"])
        if tag == "html":
            self.lang = attributes.get("lang")


def test_the_bundle_has_every_letter_the_figures_and_an_index(release_project: Path):
    make_publishable(release_project)
    bundle = release_project / "site"

    result = lgo(release_project, "publish", "--to", str(bundle))

    assert result.code == 0, result.stderr
    out = release_project / "output" / str(YEAR)
    for slug in COUNCILS:
        for suffix in (".pdf", ".html"):
            published = bundle / f"{slug}-annual-review-letter-{YEAR}{suffix}"
            assert published.read_bytes() == (out / f"{slug}{suffix}").read_bytes()

    rows = list(
        csv.DictReader(
            io.StringIO((bundle / f"annual-review-figures-{YEAR}.csv").read_text("utf-8-sig"))
        )
    )
    assert [row["slug"] for row in rows] == sorted(COUNCILS)
    ashby = next(row for row in rows if row["slug"] == "ashby")
    assert (ashby["investigations"], ashby["upheld"], ashby["upheld_percent"]) == ("10", "5", "50")
    assert "email" not in ashby and "cc" not in ashby  # contacts are not published
    figures = json.loads((bundle / f"annual-review-figures-{YEAR}.json").read_text())
    assert [row["slug"] for row in figures["councils"]] == sorted(COUNCILS)

    index = (bundle / "index.html").read_text()
    links = _Links()
    links.feed(index)
    assert links.lang == "en-GB"
    assert "<main>" in index and '<th scope="col">' in index
    assert all((bundle / link).is_file() for link in links.links)
    assert len(links.links) == 2 + 2 * len(COUNCILS)
    assert "Cyngor Sir Ynys Môn: annual review letter 2021 (PDF, " in index
    assert index.index("Ashby District Council") < index.index("Barnfield District Council")

    status = lgo(release_project, "status")
    assert status.stdout.splitlines()[-1].endswith(f"; 0 sent, {len(COUNCILS)} published")


def test_the_same_inputs_give_the_same_bytes(release_project: Path):
    make_publishable(release_project)

    def digest(folder: Path) -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}

    assert lgo(release_project, "publish", "--to", str(release_project / "one")).code == 0
    assert lgo(release_project, "publish", "--to", str(release_project / "two")).code == 0
    assert digest(release_project / "one") == digest(release_project / "two")


def test_drafts_and_unapproved_letters_stop_the_whole_bundle(release_project: Path):
    assert lgo(release_project, "approve", "ashby", "barnfield", "--by", "J").code == 0
    change_record(release_project, "barnfield", investigations=8)
    bundle = release_project / "site"

    result = lgo(release_project, "publish", "--to", str(bundle))

    assert result.code == 1
    assert "elsworth: it is a draft" in result.stderr
    assert "carrow: it is not approved" in result.stderr
    assert "barnfield: it changed since its approval: its record changed" in result.stderr
    assert "ashby:" not in result.stderr
    assert "nothing published: 6 letter(s) cannot go out" in result.stderr
    assert not bundle.exists()


def test_a_warning_before_the_publication_date(release_project: Path):
    year_file = release_project / "data" / str(YEAR) / "year.yaml"
    record = yaml.safe_load(year_file.read_text())
    record["publication_date"] = record["publication_date"].replace(year=2999)
    year_file.write_text(yaml.safe_dump(record))
    assert lgo(release_project, "build").code == 0  # the letters print the date
    make_publishable(release_project)

    result = lgo(release_project, "publish", "--to", str(release_project / "site"))

    assert result.code == 0, result.stderr
    assert "warning: publishing before the publication date, 28 July 2999" in result.stderr


def test_a_broken_index_template_writes_nothing(release_project: Path):
    make_publishable(release_project)
    template = release_project / "templates" / "publish" / "index.html.j2"
    template.write_text(template.read_text().replace("{{ year }}", "{{ year.missing }}", 1))
    bundle = release_project / "site"

    result = lgo(release_project, "publish", "--to", str(bundle))

    assert result.code == 1
    assert f"{template}: " in result.stderr and "nothing published" in result.stderr
    assert not bundle.exists()


def test_a_letter_whose_council_is_gone_is_named_not_deleted(release_project: Path):
    make_publishable(release_project)
    bundle = release_project / "site"
    assert lgo(release_project, "publish", "--to", str(bundle)).code == 0
    (release_project / "data" / str(YEAR) / "councils" / "carrow.yaml").unlink()
    assert lgo(release_project, "build").code == 0
    # Pooled averages may have moved with it: the changed letters are approved again.
    assert lgo(release_project, "approve", "--all", "--by", "Jane Smith").code == 0

    result = lgo(release_project, "publish", "--to", str(bundle))

    assert result.code == 0, result.stderr
    gone = [f"carrow-annual-review-letter-{YEAR}{suffix}" for suffix in (".html", ".pdf")]
    assert f"also holds letters of {YEAR} that this bundle does not" in result.stderr
    assert f"left as they are: {', '.join(gone)};" in result.stderr
    assert all((bundle / name).is_file() for name in gone)
    figures = (bundle / f"annual-review-figures-{YEAR}.csv").read_text("utf-8-sig")
    assert "carrow" not in figures and "ashby" in figures
