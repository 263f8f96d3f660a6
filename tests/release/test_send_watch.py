"""Watching a send: a line a message as it happens, Ctrl-C's summary, and the next run
sending exactly what is left; then a letter corrected after it was sent, resent as a
correction, and published as one."""

from __future__ import annotations

import csv
import io
import json
import signal
from pathlib import Path

import pytest
import yaml

from tests.release import (
    SENDABLE,
    YEAR,
    Running,
    approve_all,
    change_record,
    councils_of,
    lgo,
    make_publishable,
    rebuild,
    sent_councils,
    sent_log,
)
from tests.smtpserver import Recorder, smtp_server

pytestmark = pytest.mark.slow  # builds letters (once a session), runs send in a process


def test_progress_lines_come_as_the_messages_go(release_project: Path):
    """The server holds the third message until the test has seen the lines of the first
    two: they were printed while sending, not at the end."""
    approve_all(release_project)
    with smtp_server(Recorder(hold_after=2)) as (address, recorder):
        running = Running(release_project, "send", "--smtp", address, "--no-tls")
        first = running.line_with("sent ashby")
        second = running.line_with("sent barnfield")
        assert running.process.poll() is None  # still sending: the third message is held
        recorder.release.set()
        result = running.finish()
    assert result.code == 0, result.stderr
    total = len(SENDABLE)
    assert first.startswith(f"[1/{total}] sent ashby: to chief.executive@ashby.example, ")
    assert second.startswith(f"[2/{total}] sent barnfield: to ceo@barnfield.example (<")
    assert f"[{total}/{total}] sent ynys-mon" in result.stderr
    assert f"{YEAR}: {total} sent via 127.0.0.1" in result.stderr


def test_ctrl_c_finishes_the_message_in_hand_then_says_what_is_left(release_project: Path):
    approve_all(release_project)
    with smtp_server(Recorder(hold_after=2)) as (address, recorder):
        running = Running(release_project, "send", "--smtp", address, "--no-tls")
        running.line_with("sent barnfield")
        assert recorder.holding.wait(60)  # Carrow's message is with the server
        running.process.send_signal(signal.SIGINT)
        recorder.release.set()  # the server accepts it: it is logged, then the run stops
        result = running.finish()

        assert result.code == 128 + signal.SIGINT
        left = len(SENDABLE) - 3
        assert f"interrupted by SIGINT: 3 sent, {left} not yet: run send again" in result.stderr
        assert sent_councils(release_project) == SENDABLE[:3]

        rerun = lgo(release_project, "send", "--smtp", address, "--no-tls")
    assert rerun.code == 0, rerun.stderr
    assert "3 already sent" in rerun.stderr
    assert councils_of(recorder) == SENDABLE  # each exactly once
    assert sent_councils(release_project) == SENDABLE


def status_of(root: Path, slug: str) -> dict:
    result = lgo(root, "status", "--json")
    assert result.code == 0, result.stderr
    return next(row for row in json.loads(result.stdout)["councils"] if row["council"] == slug)


def test_a_corrected_letter_is_resent_as_a_correction(release_project: Path):
    approve_all(release_project)
    with smtp_server(Recorder()) as (address, recorder):
        assert lgo(release_project, "send", "--smtp", address, "--no-tls").code == 0
        first = sent_log(release_project)[0]

        # Ashby's figures were wrong: corrected, rebuilt and approved again.
        change_record(release_project, "ashby", investigations=8)
        rebuild(release_project)
        assert lgo(release_project, "approve", "ashby", "--by", "Jane Smith").code == 0
        row = status_of(release_project, "ashby")
        assert row["sending"] == "superseded"
        status = lgo(release_project, "status").stdout
        assert f"sent {first['at']} to " in status
        assert ", superseded by a corrected letter" in status
        assert "1 superseded by a corrected letter" in status.splitlines()[-1]

        # Not without --resend; the reason says how.
        plain = lgo(release_project, "send", "--smtp", address, "--no-tls")
        assert plain.code == 0
        assert "ashby: not sent: sent " in plain.stderr
        assert "superseded by a corrected letter (approved " in plain.stderr
        assert "--resend ashby sends the correction" in plain.stderr
        assert len(recorder.received) == len(SENDABLE)

        resent = lgo(release_project, "send", "--resend", "ashby", "--smtp", address, "--no-tls")
    assert resent.code == 0, resent.stderr
    correction = recorder.received[-1].message
    assert (
        correction["Subject"] == f"Corrected: Annual Review letter {YEAR} – Ashby District Council"
    )
    note = correction.get_body(("plain",)).get_content()
    assert "This is a corrected version of the annual review letter we sent you on " in note
    assert (
        '"50% of complaints we investigated were upheld." now reads "63% of complaints we '
        'investigated were upheld."' in note
    )
    # The log keeps both sendings, each with its own PDF.
    ashby = [e for e in sent_log(release_project) if e["council"] == "ashby"]
    assert [e["result"] for e in ashby] == ["sent", "sent"]
    assert ashby[0]["pdf_sha256"] != ashby[1]["pdf_sha256"]
    assert ashby[1]["subject"].startswith("Corrected: ")
    assert status_of(release_project, "ashby")["sending"] == "sent"
    assert status_of(release_project, "ashby")["attempts"] == 2


def test_publishing_a_corrected_letter_replaces_it_and_lists_the_correction(
    release_project: Path,
):
    make_publishable(release_project)
    site = release_project / "site"
    bundle = site / str(YEAR)  # publish writes DIR/<year>/
    assert lgo(release_project, "publish", "--to", str(site)).code == 0
    assert not (bundle / "corrections.csv").exists()  # nothing corrected yet

    change_record(release_project, "ashby", investigations=8)
    rebuild(release_project)
    assert lgo(release_project, "approve", "ashby", "--by", "Jane Smith").code == 0
    result = lgo(release_project, "publish", "--to", str(site))

    assert result.code == 0, result.stderr
    assert "ashby: its published letter is replaced by the corrected one" in result.stderr
    pdf = bundle / f"ashby-annual-review-letter-{YEAR}.pdf"
    assert pdf.read_bytes() == (release_project / "output" / str(YEAR) / "ashby.pdf").read_bytes()
    (row,) = list(csv.DictReader(io.StringIO((bundle / "corrections.csv").read_text())))
    assert row["council"] == "Ashby District Council"
    assert row["letter"] == pdf.name
    approved_at = yaml.safe_load(
        (release_project / "data" / str(YEAR) / "approvals.yaml").read_text()
    )["ashby"]["at"]
    assert row["date"] == approved_at[:10]  # not sent: dated when approved
    assert (
        "“50% of complaints we investigated were upheld.” now reads “63% of complaints we "
        "investigated were upheld.”" in row["what_changed"]
    )
    assert '<a href="corrections.csv">' in (bundle / "index.html").read_text("utf-8")
    # Published again, unchanged: the same bundle, the correction still listed.
    before = (bundle / "corrections.csv").read_bytes()
    assert lgo(release_project, "publish", "--to", str(site)).code == 0
    assert (bundle / "corrections.csv").read_bytes() == before
