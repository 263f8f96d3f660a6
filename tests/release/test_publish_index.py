"""The publication's index.html as the website's visitors get it: councils grouped by type,
sorted under the place they are named for, with their figures; valid (Nu), accessible
(axe-core), and a search box that filters as you type in a real Chromium, while without
JavaScript it is a set of plain tables."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.outside_tools import axe_script, axe_violations, nu_problems
from tests.records import council
from tests.release import COUNCILS, YEAR, lgo, make_publishable, write_record

pytestmark = pytest.mark.slow  # builds, approves and publishes letters; drives Chromium

# Councils whose names do not begin with the place they are named for.
MORE = {
    "barnet": council(name="London Borough of Barnet", type="london"),
    "city-of-london": council(name="City of London", type="london"),
    "kingston": council(name="The Royal Borough of Kingston upon Thames", type="london"),
    "hartlepool": council(name="Hartlepool Borough Council", type="unitary"),
    "hull": council(name="Kingston upon Hull City Council", type="unitary", sort_name="Hull"),
    "wight": council(name="Isle of Wight Council", type="unitary"),
}


@pytest.fixture(scope="module")
def bundle(release_built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The made-up councils and MORE, built, approved and published: DIR/<year>/."""
    root = tmp_path_factory.mktemp("index") / "release"
    shutil.copytree(release_built, root, symlinks=True)
    for slug, record in MORE.items():
        write_record(root / "data" / str(YEAR) / "councils" / f"{slug}.yaml", record)
    built = lgo(root, "build")
    assert built.code == 0, built.stderr
    make_publishable(root)
    published = lgo(root, "publish", "--to", str(root / "site"))
    assert published.code == 0, published.stderr
    return root / "site" / str(YEAR)


class _Groups(HTMLParser):
    """Each group's heading → the councils of its table, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.groups: dict[str, list[str]] = {}
        self._in: str | None = None
        self._heading: str | None = None
        self._row_header = False

    def handle_starttag(self, tag, attrs):
        if tag == "h3":
            self._in = "h3"
        if tag == "th" and ("scope", "row") in attrs:
            self._row_header = True

    def handle_endtag(self, tag):
        if tag == "h3":
            self._in = None
        if tag == "th":
            self._row_header = False

    def handle_data(self, data):
        if self._in == "h3":
            self._heading = data
            self.groups[data] = []
        elif self._row_header and data.strip() and self._heading:
            self.groups[self._heading].append(data.strip())


def test_councils_are_grouped_by_type_and_sorted_as_people_look_for_them(bundle: Path):
    groups = _Groups()
    groups.feed((bundle / "index.html").read_text("utf-8"))

    assert groups.groups == {
        "County councils": ["Carrow County Council", "Denholm County Council"],
        "District councils": [
            "Ashby District Council",
            "Barnfield District Council",
            "Cyngor Sir Ynys Môn",
            "Elsworth District Council",
            "Fenwick District Council",
        ],
        # Under B, K and L: the place, not "London Borough of", "The Royal Borough of" or
        # "City of".
        "London boroughs": [
            "London Borough of Barnet",
            "The Royal Borough of Kingston upon Thames",
            "City of London",
        ],
        # Hull by its record's sort_name: under H, not K.
        "Unitary authorities": [
            "Hartlepool Borough Council",
            "Kingston upon Hull City Council",
            "Isle of Wight Council",
        ],
    }
    index = (bundle / "index.html").read_text("utf-8")
    # Its figures in the table, and the averages its letters compare with.
    assert "Averages of similar authorities: upheld 53%, compliance 100%, " in index
    assert '<th scope="col">Upheld rate</th>' in index
    assert '<th scope="col">Investigations</th>' in index


def test_the_index_is_valid_html(bundle: Path):
    assert nu_problems({bundle / "index.html": "index.html"}) == []


def test_the_index_has_no_accessibility_violation(bundle: Path, browser):
    script = axe_script()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto((bundle / "index.html").as_uri())
        assert axe_violations(page, script) == []
        # Filtered too: what a visitor has on screen after searching.
        page.get_by_label("Find a council").fill("barn")
        assert axe_violations(page, script) == []
    finally:
        context.close()


def test_the_search_box_filters_as_you_type(bundle: Path, browser):
    from playwright.sync_api import expect

    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto((bundle / "index.html").as_uri())
        rows = page.locator("tbody tr")
        expect(rows.locator("visible=true")).to_have_count(len(COUNCILS) + len(MORE))
        search = page.get_by_role("searchbox", name="Find a council")

        search.press_sequentially("barn")  # as typed, key by key
        expect(rows.locator("visible=true")).to_have_count(2)
        expect(
            page.get_by_role("link", name="London Borough of Barnet", exact=True)
        ).to_be_visible()
        expect(
            page.get_by_role("link", name="Barnfield District Council", exact=True)
        ).to_be_visible()
        expect(page.get_by_role("heading", name="County councils")).to_be_hidden()
        expect(page.get_by_role("status")).to_have_text("2 councils match.")

        # Accents, case and punctuation as lgo-letters compares names.
        search.fill("YNYS MON")
        expect(rows.locator("visible=true")).to_have_count(1)
        expect(page.get_by_role("link", name="Cyngor Sir Ynys Môn", exact=True)).to_be_visible()
        search.fill("kingston upon")
        expect(rows.locator("visible=true")).to_have_count(2)
        search.fill("nowhere at all")
        expect(rows.locator("visible=true")).to_have_count(0)
        expect(page.get_by_role("status")).to_have_text("No council matches.")
        search.fill("")
        expect(rows.locator("visible=true")).to_have_count(len(COUNCILS) + len(MORE))
    finally:
        context.close()


def test_without_javascript_it_is_plain_tables(bundle: Path, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto((bundle / "index.html").as_uri())
        # No box that would do nothing; every council in its table.
        assert page.get_by_role("searchbox").count() == 0
        assert page.locator("tbody tr").locator("visible=true").count() == len(COUNCILS) + len(MORE)
        assert page.get_by_role("table").count() == 4
    finally:
        context.close()
