"""The review desk (`serve --review`) over HTTP: its index and letter pages, approving and
unapproving, the history, and every way a write is refused (token, Origin, Referer, Host,
GET) without anything changing."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlencode

import pytest

from lgo_letters.release.approval import CHANGED_WHILE_READING
from lgo_letters.release.ledgers import SentMessage, append_sent
from lgo_letters.release.lock import year_lock
from tests.desk import (
    EVERY_STATE,
    approvals,
    approve_form,
    desk_server,
    every_state,
    history,
    http,
    origin,
    year_dir,
)
from tests.helpers import REPO
from tests.records import council
from tests.release import YEAR, change_record, folders, lgo, rebuild, write_record
from tests.textutil import html_text
from tests.years import year_file

pytestmark = pytest.mark.slow  # builds letters (once a session), and some again


@pytest.fixture
def desk(release_project: Path):
    with desk_server(release_project) as live:
        yield live


def row_text(page: str, slug: str) -> str:
    found = re.search(rf'<tr id="council-{slug}"[^>]*>(.*?)</tr>', page, re.DOTALL)
    assert found, f"no row for {slug}"
    return " ".join(html_text(found.group(1)).split())


def figure_row(page: str, name: str) -> str:
    found = re.search(rf'<tr id="figure-{name}">(.*?)</tr>', page, re.DOTALL)
    assert found, f"no figure {name}"
    return " ".join(html_text(found.group(1)).split())


def listed(page: str) -> list[str]:
    return re.findall(r'<tr id="council-([a-z0-9-]+)"', page)


def test_the_index_shows_every_state_with_counts_and_escapes_record_text(
    release_project: Path,
) -> None:
    every_state(release_project)
    with desk_server(release_project) as live:
        status, _, page = http(live, "GET", "/")
    assert status == 200
    for stage, slug in EVERY_STATE.items():
        assert f'data-stage="{stage}"' in re.search(rf'<tr id="council-{slug}"[^>]*>', page).group(
            0
        ), slug
        count = re.search(
            rf'data-stage="{stage}"[^>]*>.*?<span class="number">(\d+)</span>', page, re.DOTALL
        )
        assert count and count.group(1) == "1", stage
    # Names and approvers are text, never markup.
    assert "Galloway &lt;b&gt;District&lt;/b&gt; Council" in page
    assert "<b>District</b>" not in page
    assert "&lt;i&gt;J&lt;/i&gt;" in page and "<i>J</i>" not in page
    assert "command line" in row_text(page, "ashby")


def test_filters_search_and_sorting(desk) -> None:
    page = http(desk, "GET", "/?state=draft")[2]
    assert listed(page) == ["elsworth"]
    assert listed(http(desk, "GET", "/?type=county")[2]) == ["carrow", "denholm"]
    assert listed(http(desk, "GET", "/?q=ynys")[2]) == ["ynys-mon"]
    assert listed(http(desk, "GET", "/?q=nowhere")[2]) == []
    by_name = listed(http(desk, "GET", "/?sort=council")[2])
    assert by_name == sorted(by_name, key=lambda s: s.replace("ynys-mon", "cyngor"))
    descending = listed(http(desk, "GET", "/?sort=council&order=desc")[2])
    assert descending == list(reversed(by_name))
    assert 'aria-sort="descending"' in http(desk, "GET", "/?sort=council&order=desc")[2]
    to_review = listed(http(desk, "GET", "/?state=to+review")[2])
    assert "elsworth" not in to_review and "ashby" in to_review


def test_approving_in_the_desk_records_the_hash_approve_records(
    desk, release_project: Path
) -> None:
    form = approve_form(desk, "ashby")
    status, headers, _ = http(desk, "POST", "/ashby/approve", form, origin(desk))
    assert status == 303
    assert headers["Location"] == "/ashby/review?done=approved"
    assert "lgo_letters_reviewer=Jane%20Smith" in headers["Set-Cookie"]
    assert "SameSite=strict" in headers["Set-Cookie"] and "HttpOnly" in headers["Set-Cookie"]
    approval = approvals(release_project)["ashby"]
    assert approval["by"] == "Jane Smith"
    assert approval["html_sha256"] == form["shown"]
    (entry,) = history(release_project)
    assert entry["action"] == "approve" and entry["via"] == "desk"
    assert entry["html_sha256"] == form["shown"] and entry["council"] == "ashby"

    page = http(desk, "GET", "/ashby/review?done=approved")[2]
    assert "Approved." in page
    assert "Jane Smith" in html_text(page) and "desk" in html_text(page)
    assert "Unapprove this letter" in page
    # The command line says so too: status counts approvals made without the desk.
    lgo(release_project, "approve", "barnfield", "--by", "J")
    summary = lgo(release_project, "status").stdout.splitlines()[-1]
    assert "2 approved (1 without being opened in the review desk)" in summary


def test_the_name_is_asked_once_then_taken_from_the_cookie(desk, release_project) -> None:
    form = approve_form(desk, "ashby")
    cookie = http(desk, "POST", "/ashby/approve", form, origin(desk))[1]["Set-Cookie"]
    kept = {"Cookie": cookie.split(";")[0]}
    page = http(desk, "GET", "/barnfield/review", headers=kept)[2]
    assert 'name="reviewer"' not in page.split('class="review approve"')[1].split("</form>")[0]
    form = approve_form(desk, "barnfield")
    del form["reviewer"]
    assert http(desk, "POST", "/barnfield/approve", form, {**origin(desk), **kept})[0] == 303
    assert approvals(release_project)["barnfield"]["by"] == "Jane Smith"
    # Without the cookie or a name, nothing is approved.
    form = approve_form(desk, "carrow")
    del form["reviewer"]
    status, _, page = http(desk, "POST", "/carrow/approve", form, origin(desk))
    assert status == 400 and "your name is needed" in page
    assert "carrow" not in approvals(release_project)


def test_a_letter_rebuilt_since_its_page_was_shown_is_not_approved(
    desk, release_project: Path
) -> None:
    form = approve_form(desk, "ashby")
    write = year_dir(release_project) / "councils" / "ashby.yaml"
    write.write_text(write.read_text("utf-8").replace("role: Chief Executive", "role: Acting"))
    rebuild(release_project)
    status, _, page = http(desk, "POST", "/ashby/approve", form, origin(desk))
    assert status == 409
    assert CHANGED_WHILE_READING in page
    assert approvals(release_project) == {} and history(release_project) == []


def test_unapprove_needs_a_reason_and_is_kept_in_the_history(desk, release_project) -> None:
    assert lgo(release_project, "approve", "ashby", "--by", "J").code == 0
    form = {"token": desk.desk.token, "reviewer": "Sam Lee", "reason": ""}
    status, _, page = http(desk, "POST", "/ashby/unapprove", form, origin(desk))
    assert status == 400 and "the reason is empty" in page
    assert "ashby" in approvals(release_project)

    form["reason"] = "The <b>upheld</b> figure is\r\nbeing checked"
    assert http(desk, "POST", "/ashby/unapprove", form, origin(desk))[0] == 303
    assert "ashby" not in approvals(release_project)
    approve_entry, unapprove_entry = history(release_project)
    assert approve_entry["via"] == "command line"
    assert unapprove_entry == {
        **unapprove_entry,
        "action": "unapprove",
        "by": "Sam Lee",
        "via": "desk",
        "reason": "The <b>upheld</b> figure is\nbeing checked",
        "html_sha256": approve_entry["html_sha256"],
    }
    page = http(desk, "GET", "/ashby/review")[2]
    assert "The &lt;b&gt;upheld&lt;/b&gt; figure" in page
    review = lgo(release_project, "review", "ashby")
    assert "unapproved by Sam Lee (desk;" in review.stdout
    assert "The <b>upheld</b> figure is" in review.stdout


def test_a_sent_letter_cannot_be_unapproved(release_project: Path) -> None:
    every_state(release_project)
    with desk_server(release_project) as live:
        page = http(live, "GET", "/barnfield/review")[2]
        assert "Unapprove this letter" not in page
        assert "a letter that has gone out stays approved" in page
        form = {"token": live.desk.token, "reviewer": "S", "reason": "why not"}
        status, _, page = http(live, "POST", "/barnfield/unapprove", form, origin(live))
    assert status == 409 and "gone out stays approved" in page
    assert "barnfield" in approvals(release_project)
    cli = lgo(release_project, "unapprove", "barnfield", "--reason", "x", "--by", "S")
    assert cli.code == 1 and "barnfield: not unapproved: it was sent as approved" in cli.stderr


def test_unapprove_on_the_command_line(release_project: Path) -> None:
    assert lgo(release_project, "approve", "ashby", "--by", "J").code == 0
    assert lgo(release_project, "unapprove", "ashby", "--by", "K").code == 2  # no --reason
    result = lgo(release_project, "unapprove", "ashby", "--reason", "wrong figure", "--by", "K")
    assert result.code == 0 and "unapproved ashby" in result.stdout
    assert approvals(release_project) == {}
    assert not (year_dir(release_project) / "approved" / "ashby.txt").exists()
    assert history(release_project)[-1]["reason"] == "wrong figure"
    again = lgo(release_project, "unapprove", "ashby", "--reason", "x", "--by", "K")
    assert again.code == 1 and "ashby: not unapproved: it is not approved" in again.stderr
    bad = lgo(release_project, "unapprove", "ashby", "--reason", "a\x1bb", "--by", "K")
    assert bad.code == 2 and "control character" in bad.stderr


@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("no token", lambda form, headers, live: form.pop("token")),
        ("a wrong token", lambda form, headers, live: form.update(token="x" * 43)),
        (
            "a foreign Origin",
            lambda form, headers, live: headers.update(Origin="http://attacker.example"),
        ),
        ("the null Origin", lambda form, headers, live: headers.update(Origin="null")),
        (
            "a foreign Referer",
            lambda form, headers, live: headers.update(Referer="http://attacker.example/x"),
        ),
        (
            "another port's Origin",
            lambda form, headers, live: headers.update(Origin="http://127.0.0.1:1"),
        ),
        (
            "a foreign Host",
            lambda form, headers, live: headers.update(Host="attacker.example"),
        ),
    ],
)
def test_a_write_without_the_token_or_from_elsewhere_is_refused_and_changes_nothing(
    desk, release_project: Path, case: str, change
) -> None:
    form = approve_form(desk, "ashby")
    headers = origin(desk)
    change(form, headers, desk)
    status, _, _ = http(desk, "POST", "/ashby/approve", form, headers)
    assert status == 403, case
    unapprove = {"token": form.get("token", ""), "reason": "r", "reviewer": "J"}
    assert http(desk, "POST", "/ashby/unapprove", unapprove, headers)[0] == 403
    assert approvals(release_project) == {} and history(release_project) == []


def test_a_get_never_writes(desk, release_project: Path) -> None:
    form = approve_form(desk, "ashby")
    query = urlencode(form)
    for path in (f"/ashby/approve?{query}", "/ashby/unapprove", "/_reviewer"):
        status, headers, _ = http(desk, "GET", path)
        assert (status, headers["Allow"]) == (405, "POST"), path
    assert approvals(release_project) == {}


def test_a_plain_serve_never_writes(release_project: Path) -> None:
    from lgo_letters.project import Paths
    from lgo_letters.serve import serving

    root = release_project
    paths = Paths(root / "data", root / "templates", root / "output")
    with serving(paths, YEAR, port=0) as live:
        status, headers, _ = http(live, "POST", "/ashby/approve", {"token": "x"}, origin(live))
        assert (status, headers["Allow"]) == (405, "GET, HEAD")
        assert http(live, "GET", "/ashby/review")[0] == 404
    assert approvals(root) == {}


def test_the_desk_and_the_command_line_approve_at_once_and_lose_neither(
    desk, release_project: Path
) -> None:
    form = approve_form(desk, "ashby")
    answers: list[int] = []
    post = threading.Thread(
        target=lambda: answers.append(http(desk, "POST", "/ashby/approve", form, origin(desk))[0])
    )
    # Both start while another writer holds the year's lock: each waits for it, then
    # reads approvals.yaml again under it, so neither approval is lost.
    with year_lock(year_dir(release_project), YEAR, "send"):
        post.start()
        cli = subprocess.Popen(
            [sys.executable, "-m", "lgo_letters", "approve", str(YEAR), "barnfield", "--by", "K",
             *folders(release_project)],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
    _, stderr = cli.communicate(timeout=120)
    post.join(120)
    assert cli.returncode == 0, stderr
    assert answers == [303]
    assert sorted(approvals(release_project)) == ["ashby", "barnfield"]
    assert sorted(e["council"] for e in history(release_project)) == ["ashby", "barnfield"]


def test_the_letter_page_shows_figures_with_last_years_flags_and_the_diff(
    release_project: Path,
) -> None:
    root = release_project
    last_year = root / "data" / str(YEAR - 1)
    (last_year / "councils").mkdir(parents=True)
    (last_year / "year.yaml").write_text(year_file(YEAR - 1))
    write_record(last_year / "councils" / "carrow.yaml", council(name="Carrow County Council",
        type="county", statistics={"investigations": 8, "upheld": 2}))  # fmt: skip
    assert lgo(root, "approve", "carrow", "--by", "J").code == 0
    write = year_dir(root) / "councils" / "carrow.yaml"
    write.write_text(write.read_text("utf-8").replace("role: Chief Executive", "role: Acting"))
    with desk_server(root) as live:
        page = http(live, "GET", "/carrow/review")[2]
    # Last year's figures beside this year's, each with its source as `trace` gives it.
    assert figure_row(page, "upheld") == f"Upheld 12 2 typed in {write}:8"
    assert figure_row(page, "upheld_percent") == (
        "Upheld rate 60% 25% 60% = 12 (statistics.upheld) of 20 "
        "(statistics.investigations), half up"
    )
    flags = html_text(re.search(r'<ul class="flags">(.*?)</ul>', page, re.DOTALL).group(1))
    assert "Year on year: upheld_percent:" in flags  # compare's flag: 25% → 60%
    assert "averages for county computed from 2 records" in flags  # validate's warning
    assert "changed since approval" in page
    assert "-Chief Executive" in page and "+Acting" in page  # the sentence diff
    assert 'title="The letter to Carrow County Council, as built"' in page


def test_next_letter_to_review_goes_round_the_letters_waiting(desk, release_project) -> None:
    status, headers, _ = http(desk, "GET", "/_next")
    assert status == 303 and headers["Location"] == "/ashby/review"
    assert http(desk, "GET", "/_next?after=ashby")[1]["Location"] == "/barnfield/review"
    form = {**approve_form(desk, "ashby"), "then": "next"}
    assert http(desk, "POST", "/ashby/approve", form, origin(desk))[1]["Location"] == (
        "/_next?after=ashby"
    )


def test_sent_then_corrected_is_superseded_only_once_approved_again_in_status_and_desk(
    release_project: Path,
) -> None:
    """Issue 24's "sent, superseded by a corrected letter" is one rule, the same in `status`
    and the desk: a letter changed after it was sent is "changed since approval" (and sent)
    until the correction is approved; then it is superseded, and `send` needs --resend."""
    root = release_project
    assert lgo(root, "approve", "barnfield", "--by", "J").code == 0
    append_sent(
        year_dir(root),
        SentMessage(
            council="barnfield",
            at="2021-07-22T09:00:00+00:00",
            message_id="<barnfield@lgo.example>",
            to=["ceo@barnfield.example"],
            pdf_sha256=approvals(root)["barnfield"]["pdf_sha256"],
        ),
    )
    change_record(root, "barnfield", complied=3)
    rebuild(root)

    def where() -> tuple[str, str, str]:
        """(status's approval, status's sending, the desk's state) of Barnfield's letter."""
        status = lgo(root, "status", "--json")
        assert status.code == 0, status.stderr
        row = next(r for r in json.loads(status.stdout)["councils"] if r["council"] == "barnfield")
        with desk_server(root) as live:
            page = http(live, "GET", "/")[2]
        tag = re.search(r'<tr id="council-barnfield"[^>]*>', page)
        assert tag is not None
        stage = re.search(r'data-stage="([^"]+)"', tag.group(0))
        assert stage is not None
        return row["approval"], row["sending"], stage.group(1)

    assert where() == ("changed since approval", "sent", "changed since approval")
    assert lgo(root, "approve", "barnfield", "--by", "J").code == 0
    assert where() == ("approved", "superseded", "sent but superseded")
