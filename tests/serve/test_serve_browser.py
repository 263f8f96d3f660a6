"""`lgo-letters serve` in a real headless Chromium: Debian's chromium, driven by Playwright.

Never `playwright install`: the browser is Debian's package, which `make test` installs when
run as root. Without it these tests are skipped (and say how to enable them), except in CI,
where a missing browser is a failure so the live-reload tests can never pass unseen.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# Slow: drives a real headless Chromium.
pytestmark = pytest.mark.slow

# Time for the watcher's quiet period, the rebuild and the page's reload.
LIVE_TIMEOUT_MS = 15_000


@pytest.fixture
def page(browser):
    context = browser.new_context()
    context.set_default_timeout(LIVE_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def _edit(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new), encoding="utf-8")


def test_a_letter_follows_its_record_as_it_is_edited(page, live_server, project: Path) -> None:
    from playwright.sync_api import expect

    record = project / "data" / "2020" / "councils" / "dacorum.yaml"
    good = record.read_text(encoding="utf-8")

    page.goto(live_server.url)
    expect(page.locator("#council-dacorum .upheld")).to_have_text("70%")
    page.get_by_role("link", name="Dacorum Borough Council").click()
    expect(page).to_have_url(live_server.url + "dacorum")
    upheld = page.locator(".headline").first
    expect(upheld).to_contain_text("70% of complaints we investigated were upheld")

    # A corrected figure appears without anyone reloading the page.
    _edit(record, "  upheld: 7", "  upheld: 4")
    expect(upheld).to_contain_text("40% of complaints we investigated were upheld")

    # A broken record shows its file, line and message in the page ...
    _edit(record, "  upheld: 4", "  upheld: [4")
    problem = page.locator(".problem-list tr.problem")
    expect(problem.locator(".file")).to_have_text(str(record))
    expect(problem.locator(".line")).to_have_text("11")
    expect(problem.locator(".message")).to_contain_text("YAML syntax error")

    # ... an invalid count names its field ...
    _edit(record, "  upheld: [4", "  upheld: -4")
    expect(problem.locator(".field")).to_have_text("statistics.upheld")
    expect(problem.locator(".message")).to_have_text("must be 0 or more, not -4")

    # ... and fixing the file brings the letter back.
    record.write_text(good, encoding="utf-8")
    expect(page.locator(".headline").first).to_contain_text("70% of complaints")
    # Dacorum's record is a draft: the title says so first.
    expect(page).to_have_title(
        "DRAFT \N{EN DASH} Annual Review letter 2020 \N{EN DASH} Dacorum Borough Council"
    )

    response = page.request.get(live_server.url + "dacorum.pdf")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


def test_the_index_follows_the_records(page, live_server, project: Path) -> None:
    from playwright.sync_api import expect

    record = project / "data" / "2020" / "councils" / "worcester.yaml"
    page.goto(live_server.url)
    row = page.locator("#council-worcester")
    expect(row.locator(".upheld")).to_have_text("50%")
    _edit(record, "\ndraft: true\n", "\ndraft: true\nupheld_typo: 1\n")
    expect(row.locator(".problem")).to_contain_text("upheld_typo")
    expect(row.get_by_role("link", name="PDF")).to_have_count(0)
    _edit(record, "\ndraft: true\nupheld_typo: 1\n", "\ndraft: false\n")
    expect(row.locator(".problem")).to_have_text("")
    expect(row).not_to_contain_text("draft")


def test_a_template_error_shows_in_the_page_and_the_fix_brings_the_letter_back(
    page, live_server, project: Path
) -> None:
    from playwright.sync_api import expect

    template = project / "templates" / "2020" / "letter.html.j2"
    good = template.read_text(encoding="utf-8")
    page.goto(live_server.url + "harborough")
    expect(page.locator("h1").first).to_have_text("Annual Review letter 2020")
    _edit(template, "{% block opening %}", "{% block opening %}{{ letter.no_such_field }}")
    expect(page.locator("pre.problem")).to_contain_text(str(template))
    expect(page.locator("pre.problem")).to_contain_text("no_such_field")
    template.write_text(good, encoding="utf-8")
    expect(page.locator("h1").first).to_have_text("Annual Review letter 2020")
