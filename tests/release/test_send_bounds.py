"""`send` against what goes wrong: a mail server that answers without end or one byte at a
time, addresses two councils share, addresses beyond ASCII, letters asked for that are
held back, a log written meanwhile or ending in a YAML end marker, and two runs at once."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import yaml

from lgo_letters.output import folder_lock
from tests.hostile_smtp import (
    DRIP_EVERY,
    DRIP_FOR,
    ENDLESS_LINES,
    drip,
    endless_ehlo,
    hostile_server,
)
from tests.release import (
    SENDABLE,
    YEAR,
    Running,
    approve_all,
    councils_of,
    lgo,
    sent_councils,
    sent_log,
    write_record,
)
from tests.smtpserver import Recorder, smtp_server

pytestmark = pytest.mark.slow  # builds letters (once a session)


def year_dir(root: Path) -> Path:
    return root / "data" / str(YEAR)


def edit_record(root: Path, slug: str, **fields: object) -> None:
    file = year_dir(root) / "councils" / f"{slug}.yaml"
    record = yaml.safe_load(file.read_text("utf-8"))
    record.update(fields)
    write_record(file, record)


def test_an_endless_ehlo_reply_is_cut_off(release_project: Path):
    """An endless `250-` EHLO reply (before STARTTLS anyone on the path can send one): the
    client stops reading at the bound, says so, and sends nothing."""
    approve_all(release_project)
    with hostile_server(endless_ehlo) as (address, seen):
        result = lgo(release_project, "send", "--smtp", address, "--no-tls")

    assert result.code == 1
    assert f"cannot connect to {address}: the server's reply runs past 100 lines" in (result.stderr)
    assert seen.lines_sent < ENDLESS_LINES  # it hung up long before the server stopped
    assert sent_log(release_project) == []
    assert f"not attempted: {', '.join(SENDABLE)}; run send again" in result.stderr


def test_a_server_that_drips_its_reply_fails_the_message_within_the_timeout(
    release_project: Path,
):
    """One byte every DRIP_EVERY seconds never trips a per-read timeout; the deadline of
    the message does (--timeout 1 keeps the test short). The message is a failed attempt,
    logged; the run stops cleanly, the rest left for the next."""
    approve_all(release_project)
    with hostile_server(drip) as (address, seen):
        result = lgo(
            release_project, "send", "--only", "ashby", "--only", "barnfield",
            "--smtp", address, "--no-tls", "--timeout", "1",
        )  # fmt: skip

    assert result.code == 1
    why = "no complete reply from the server within 1 s (--timeout)"
    assert f"ashby: FAILED: {why}" in result.stderr
    assert "not attempted: barnfield; run send again" in result.stderr
    (attempt,) = sent_log(release_project)
    assert (attempt["council"], attempt["result"], attempt["reply"]) == ("ashby", "failed", why)
    assert seen.bytes_dripped < DRIP_FOR / DRIP_EVERY  # it gave up before the server did
    assert seen.commands[-1].upper().startswith("MAIL FROM:")  # nothing after: no content went


def test_a_shared_address_holds_both_letters_back_until_listed_as_shared(release_project: Path):
    approve_all(release_project)
    # After approval, Ashby's address is set to Barnfield's (a new email keeps the approval).
    edit_record(release_project, "ashby", email="ceo@barnfield.example")

    status = lgo(release_project, "status").stdout
    ashby = next(line for line in status.splitlines() if line.startswith("ashby:"))
    assert (
        "addresses changed since approval: email chief.executive@ashby.example → "
        "ceo@barnfield.example" in ashby
    )
    assert "held back: ceo@barnfield.example is also the address of Barnfield" in ashby
    review = lgo(release_project, "review", "ashby")
    assert "== ashby (Ashby District Council): addresses changed since its approval by " in (
        review.stdout
    )

    with smtp_server(Recorder()) as (address, recorder):
        result = lgo(release_project, "send", "--smtp", address, "--no-tls")
        assert sorted(councils_of(recorder)) == ["carrow", "denholm", "ynys-mon"]
        assert result.code == 0
        assert "ashby: not sent: held back: ceo@barnfield.example is also the address of " in (
            result.stderr
        )
        assert "barnfield: not sent: held back: ceo@barnfield.example is also the address" in (
            result.stderr
        )

        # Named, it is an error: exit 1, saying why.
        named = lgo(release_project, "send", "--only", "barnfield", "--smtp", address, "--no-tls")
        assert named.code == 1
        assert "barnfield: asked for by name, but not sent: held back: " in named.stderr

        # Listed as shared in year.yaml (the councils do share it), both go.
        year_file = year_dir(release_project) / "year.yaml"
        record = yaml.safe_load(year_file.read_text())
        record["shared_addresses"] = ["ceo@barnfield.example"]
        write_record(year_file, record)
        shared = lgo(release_project, "send", "--smtp", address, "--no-tls")
        assert shared.code == 0, shared.stderr
    assert sorted(councils_of(recorder)[3:]) == ["ashby", "barnfield"]


def test_only_or_resend_of_a_held_letter_exits_1_saying_why(release_project: Path):
    approve_all(release_project)
    with smtp_server(Recorder()) as (address, recorder):
        draft = lgo(release_project, "send", "--only", "elsworth", "--smtp", address, "--no-tls")
        assert draft.code == 1
        assert "elsworth: asked for by name, but not sent: it is a draft" in draft.stderr
        assert (
            lgo(release_project, "send", "--only", "ashby", "--smtp", address, "--no-tls").code == 0
        )
        again = lgo(release_project, "send", "--only", "ashby", "--smtp", address, "--no-tls")
        assert again.code == 1
        assert "ashby: asked for by name, but not sent: already sent" in again.stderr
        dry = lgo(release_project, "send", "--resend", "fenwick")
        assert dry.code == 1
        assert "fenwick: asked for by name, but not sent: its record has no email address" in (
            dry.stderr
        )
    assert councils_of(recorder) == ["ashby"]


def test_addresses_beyond_ascii_are_sent_as_idna_or_smtputf8(release_project: Path):
    edit_record(release_project, "ynys-mon", email="prif.weithredwr@ynysmôn.example")
    edit_record(release_project, "carrow", email="prif.weithredŵr@carrow.example")
    approve_all(release_project)
    only = ["--only", "ynys-mon", "--only", "carrow"]
    with smtp_server(Recorder()) as (address, recorder):
        result = lgo(release_project, "send", *only, "--smtp", address, "--no-tls")
    # The IDNA domain goes anywhere; the UTF-8 local part needs SMTPUTF8, not offered here.
    assert result.code == 1
    assert councils_of(recorder) == ["ynys-mon"]
    assert recorder.received[0].rcpt_tos == ["prif.weithredwr@xn--ynysmn-mxa.example"]
    assert (
        "carrow: FAILED: the server does not offer SMTPUTF8, which prif.weithredŵr@carrow.example "
        "needs (its part before the @ is not ASCII)" in result.stderr
    )
    assert [e["result"] for e in sent_log(release_project)] == ["failed", "sent"]

    with smtp_server(Recorder(), smtputf8=True) as (address, recorder):
        result = lgo(release_project, "send", "--only", "carrow", "--smtp", address, "--no-tls")
    assert result.code == 0, result.stderr
    assert recorder.received[0].rcpt_tos == ["prif.weithredŵr@carrow.example"]
    assert "To: Ms Example <prif.weithredŵr@carrow.example>\r\n".encode() in (
        recorder.received[0].content
    )


def test_the_log_is_read_again_before_each_message(release_project: Path):
    """A message logged by another run while this one waits on the server is not sent
    again (the year's lock keeps two sends apart; this is the second line of defence, for a
    log written by hand or from another machine)."""
    approve_all(release_project)
    with smtp_server(Recorder(hold_after=0)) as (address, recorder):
        running = Running(release_project, "send", "--smtp", address, "--no-tls")
        assert recorder.holding.wait(60)  # Ashby's message is with the server
        log = year_dir(release_project) / "sent.yaml"
        assert not log.exists()
        log.write_text(yaml.safe_dump({"sent": [{
            "council": "barnfield", "at": "2021-07-22T09:00:00+00:00",
            "to": ["ceo@barnfield.example"], "message_id": "<other@run>",
            "pdf_sha256": "0" * 64,
        }]}))  # fmt: skip
        recorder.release.set()
        result = running.finish()
    assert result.code == 0, result.stderr
    assert "barnfield: not sent: sent meanwhile by another run" in result.stderr
    assert councils_of(recorder) == [s for s in SENDABLE if s != "barnfield"]
    assert sent_councils(release_project) == [
        "barnfield",
        *(s for s in SENDABLE if s != "barnfield"),
    ]


def test_a_log_ending_in_a_yaml_end_marker_gets_its_entries_before_it(release_project: Path):
    approve_all(release_project)
    log = year_dir(release_project) / "sent.yaml"

    def send(slug: str) -> None:
        result = lgo(release_project, "send", "--only", slug, "--smtp", address, "--no-tls")
        assert result.code == 0, result.stderr

    with smtp_server(Recorder()) as (address, _recorder):
        send("ashby")
        log.write_text(log.read_text() + "...\n")
        send("carrow")
        assert sent_councils(release_project) == ["ashby", "carrow"]
        assert "\n...\n" not in log.read_text()
        assert lgo(release_project, "status").code == 0
        # A layout an entry cannot just be added to: written afresh, its entries kept.
        log.write_text(
            "# by hand\nsent: [{council: ashby, at: '2021-07-22T09:00:00+00:00', "
            "to: [a@b.example], message_id: <x@y>, pdf_sha256: " + "0" * 64 + "}]\n"
        )
        send("barnfield")
    assert sent_councils(release_project) == ["ashby", "barnfield"]


def test_a_second_send_stops_while_the_first_holds_the_lock(release_project: Path):
    """The first send waits on the server with Ashby's message; a second one started
    meanwhile stops at once, before reading anything; nothing goes twice."""
    approve_all(release_project)
    with smtp_server(Recorder(hold_after=0)) as (address, recorder):
        first = Running(release_project, "send", "--smtp", address, "--no-tls")
        assert recorder.holding.wait(60)
        second = lgo(release_project, "send", "--smtp", address, "--no-tls")
        assert second.code == 2
        assert f"error: another send of {YEAR} is running" in second.stderr
        recorder.release.set()
        assert first.finish().code == 0
        third = lgo(release_project, "send", "--smtp", address, "--no-tls")
    assert third.code == 0
    assert councils_of(recorder) == SENDABLE
    assert sent_councils(release_project) == SENDABLE


def test_two_approves_at_once_both_count(release_project: Path):
    """While the year's lock is held (as by a send), two approves wait for it, say so, and
    then each reads approvals.yaml afresh: neither approval is lost."""
    folder = year_dir(release_project)
    with folder_lock(folder, "held by this test"):
        ashby = Running(release_project, "approve", "ashby", "--by", "A")
        ashby.line_with(f"waiting for another import, approve, send or publish of {YEAR} to finish")
        barnfield = Running(release_project, "approve", "barnfield", "--by", "B")
        barnfield.line_with("waiting for another")
        assert not (folder / "approvals.yaml").exists()
    assert ashby.finish().code == 0
    assert barnfield.finish().code == 0
    approvals = yaml.safe_load((folder / "approvals.yaml").read_text())
    assert {slug: a["by"] for slug, a in approvals.items()} == {"ashby": "A", "barnfield": "B"}


def test_approve_by_a_name_with_a_control_character_is_refused(release_project: Path):
    for name in ("Jane\x1b[31mSmith", "Jane\nSmith", " "):
        result = lgo(release_project, "approve", "ashby", "--by", name)
        assert result.code == 2, name
        assert "error: --by " in result.stderr
    assert (
        "holds the control character U+001B"
        in lgo(release_project, "approve", "ashby", "--by", "Jane\x1bSmith").stderr
    )
    assert not (year_dir(release_project) / "approvals.yaml").exists()
    assert lgo(release_project, "status").code == 0


def test_sigterm_is_summarised_like_ctrl_c(release_project: Path):
    approve_all(release_project)
    with smtp_server(Recorder(hold_after=1)) as (address, recorder):
        running = Running(release_project, "send", "--smtp", address, "--no-tls")
        assert recorder.holding.wait(60)
        running.process.send_signal(signal.SIGTERM)
        running.line_with("sent ashby")
        recorder.release.set()
        result = running.finish()
    assert result.code == 128 + signal.SIGTERM
    assert f"interrupted by SIGTERM: 2 sent, {len(SENDABLE) - 2} not yet: run send again" in (
        result.stderr
    )
