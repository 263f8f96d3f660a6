"""The review desk in a real headless Chromium (Debian's, through Playwright): filtering,
approving by keyboard alone, the index following approvals made in the desk and on the
command line, unapproving with a reason, and a stale page's approval refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgo_letters.release.approval import CHANGED_WHILE_READING
from tests.desk import approvals, desk_server, history
from tests.release import lgo, rebuild

# Slow: drives a real headless Chromium, over letters built once a session.
pytestmark = pytest.mark.slow

# Time for the watcher's quiet period, the desk reading the year again and the page's reload.
LIVE_TIMEOUT_MS = 20_000


@pytest.fixture
def context(browser):
    from playwright.sync_api import expect

    # Playwright's assertions have their own default timeout (5 s); changes reach open pages
    # through the watcher, a fresh look at the year and a reload, which a loaded machine
    # can take longer than that over.
    expect.set_options(timeout=LIVE_TIMEOUT_MS)
    context = browser.new_context()
    context.set_default_timeout(LIVE_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


def test_filter_open_a_letter_and_approve_it_by_keyboard_and_the_index_follows(
    context, release_project: Path
) -> None:
    from playwright.sync_api import expect

    with desk_server(release_project) as live:
        index = context.new_page()
        index.goto(live.url)
        expect(index.locator("#council-carrow .stage")).to_have_text("built")
        # Filter: county councils only.
        index.get_by_label("Type").select_option("county")
        index.get_by_role("button", name="Filter").click()
        expect(index.locator("table.desk tbody tr")).to_have_count(2)
        expect(index.locator("caption")).to_contain_text("2 of 7 letters (filtered)")

        # Open a letter from the keyboard: focus its link, Enter.
        letter = context.new_page()
        letter.goto(index.url)
        letter.get_by_role("link", name="Carrow County Council").focus()
        letter.keyboard.press("Enter")
        expect(letter).to_have_url(live.url + "carrow/review")
        expect(letter.locator("iframe.letter")).to_have_attribute(
            "title", "The letter to Carrow County Council, as built"
        )

        # Approve by keyboard alone: the name field, Tab to the button, Enter.
        letter.get_by_label("Your name").focus()
        letter.keyboard.type("Jane Smith")
        letter.keyboard.press("Tab")
        expect(letter.get_by_role("button", name="Approve this letter", exact=True)).to_be_focused()
        letter.keyboard.press("Enter")
        expect(letter.get_by_role("status")).to_contain_text("Approved.")
        expect(letter.locator(".approval")).to_contain_text("Approved by Jane Smith")

        # The index, open in another tab, follows by itself.
        expect(index.locator("#council-carrow .stage")).to_have_text("approved")
        expect(index.locator("#council-carrow .approved-by")).to_contain_text("Jane Smith (desk)")
        assert approvals(release_project)["carrow"]["by"] == "Jane Smith"

        # The name is asked once: the next letter's form has none.
        letter.goto(live.url + "barnfield/review")
        expect(letter.locator("form.approve input[name=reviewer]")).to_have_count(0)
        expect(letter.locator(".reviewer").first).to_have_text("Jane Smith")


def test_an_approval_on_the_command_line_shows_in_the_desk(context, release_project) -> None:
    from playwright.sync_api import expect

    with desk_server(release_project) as live:
        index = context.new_page()
        index.goto(live.url)
        letter = context.new_page()
        letter.goto(live.url + "ashby/review")
        expect(letter.get_by_role("button", name="Approve this letter", exact=True)).to_be_visible()

        assert lgo(release_project, "approve", "ashby", "--by", "Sam Lee").code == 0

        expect(index.locator("#council-ashby .stage")).to_have_text("approved")
        expect(index.locator("#council-ashby .approved-by")).to_contain_text(
            "Sam Lee (command line)"
        )
        expect(index.locator('[data-stage="approved"] .number')).to_have_text("1")
        expect(letter.locator(".approval")).to_contain_text("Approved by Sam Lee")
        expect(letter.get_by_role("button", name="Approve this letter", exact=True)).to_have_count(
            0
        )


def test_unapprove_with_a_reason(context, release_project: Path) -> None:
    from playwright.sync_api import expect

    assert lgo(release_project, "approve", "denholm", "--by", "Sam Lee").code == 0
    with desk_server(release_project) as live:
        page = context.new_page()
        page.goto(live.url + "denholm/review")
        page.get_by_label("Your name").first.fill("Jane Smith")
        page.get_by_label("Why withdraw the approval").fill("Upheld figure <b>queried</b>")
        page.get_by_role("button", name="Unapprove this letter").click()
        expect(page.get_by_role("status")).to_contain_text("Unapproved")
        rows = page.locator("table.history tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(1)).to_contain_text("unapproved")
        expect(rows.nth(1)).to_contain_text("Upheld figure <b>queried</b>")  # as text
        expect(page.locator("strong.stage")).to_have_text("built")
    assert "denholm" not in approvals(release_project)
    assert history(release_project)[-1]["reason"] == "Upheld figure <b>queried</b>"


def test_a_stale_pages_approval_is_refused(context, release_project: Path) -> None:
    from playwright.sync_api import expect

    with desk_server(release_project) as live:
        page = context.new_page()
        # A page whose reload has not come yet: its event stream is cut off.
        page.route("**/_livereload*", lambda route: route.abort())
        page.goto(live.url + "barnfield/review")
        expect(page.get_by_role("button", name="Approve this letter", exact=True)).to_be_visible()

        record = release_project / "data" / "2021" / "councils" / "barnfield.yaml"
        record.write_text(
            record.read_text("utf-8").replace("role: Chief Executive", "role: Acting")
        )
        rebuild(release_project)

        page.get_by_label("Your name").fill("Jane Smith")
        page.get_by_role("button", name="Approve this letter", exact=True).click()
        expect(page.get_by_role("alert")).to_contain_text(CHANGED_WHILE_READING)
        page.get_by_role("link", name="Reload the letter").click()
        expect(page.get_by_role("button", name="Approve this letter", exact=True)).to_be_visible()
    assert approvals(release_project) == {}
