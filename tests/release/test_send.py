"""`lgo-letters send` against a real SMTP server on 127.0.0.1 (aiosmtpd, started here)."""

from __future__ import annotations

import email
from email.policy import default
from pathlib import Path

import pytest
import yaml

from lgo_letters.output import folder_lock
from lgo_letters.release.smtp import PASSWORD_VARIABLE
from tests.release import (
    SENDABLE,
    YEAR,
    approve_all,
    change_record,
    councils_of,
    lgo,
    sent_councils,
    sent_log,
)
from tests.smtpserver import Recorder, smtp_server

pytestmark = [
    pytest.mark.slow,  # builds letters (once a session)
    # The test server allows a login without TLS (on 127.0.0.1), and warns that it does.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated"),
]


def test_messages_arrive_with_recipients_subject_and_the_letter_itself(release_project: Path):
    approve_all(release_project)
    with smtp_server(Recorder()) as (address, recorder):
        result = lgo(release_project, "send", "--smtp", address, "--no-tls")

    assert result.code == 0, result.stderr
    assert councils_of(recorder) == SENDABLE
    ashby = recorder.received[0]
    assert ashby.mail_from == "annual.review@ombudsman.example"
    assert ashby.rcpt_tos == [
        "chief.executive@ashby.example",
        "link.officer@ashby.example",
        "leader@ashby.example",
    ]
    message = ashby.message
    assert message["Subject"] == f"Annual Review letter {YEAR} – Ashby District Council"
    # To carries the recipient's name; Cc has no names to carry.
    assert message["To"] == "Ms Example <chief.executive@ashby.example>"
    assert message["To"].addresses[0].display_name == "Ms Example"
    assert message["Cc"] == "link.officer@ashby.example, leader@ashby.example"
    assert message["From"] == (
        "Local Government and Social Care Ombudsman <annual.review@ombudsman.example>"
    )
    assert message["Reply-To"].addresses[0].addr_spec == "reviews@ombudsman.example"
    note = message.get_body(("plain",)).get_content()
    assert note.startswith("Dear Ms Example\n\nPlease find attached my annual review letter")
    assert "on 28 July 2021." in note
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    built = release_project / "output" / str(YEAR) / "ashby.pdf"
    assert attachment.get_content() == built.read_bytes()

    # A non-ASCII council name survives the subject's encoding.
    ynys_mon = recorder.received[SENDABLE.index("ynys-mon")].message
    assert ynys_mon["Subject"] == f"Annual Review letter {YEAR} – Cyngor Sir Ynys Môn"
    assert ynys_mon["To"].addresses[0].addr_spec == "prif.weithredwr@ynysmon.example"

    # The log: one entry a message, with its Message-ID, recipients, the PDF's sha256 and
    # the server's reply.
    log = sent_log(release_project)
    assert [entry["council"] for entry in log] == SENDABLE
    assert [entry["result"] for entry in log] == ["sent"] * len(SENDABLE)
    assert log[0]["reply"] == "250 2.0.0 Ok: queued as Q1"
    assert log[0]["subject"] == message["Subject"]
    assert log[0]["message_id"] == message["Message-ID"]
    assert log[0]["to"] == ["chief.executive@ashby.example"]
    assert log[0]["cc"] == ["link.officer@ashby.example", "leader@ashby.example"]
    approvals = yaml.safe_load((release_project / "data" / "2021" / "approvals.yaml").read_text())
    assert log[0]["pdf_sha256"] == approvals["ashby"]["pdf_sha256"]

    # Those not sent are listed with their reasons.
    assert "elsworth: not sent: it is a draft" in result.stderr
    assert "fenwick: not sent: its record has no email address" in result.stderr


def test_nothing_is_sent_twice_unless_resent(release_project: Path):
    approve_all(release_project)
    with smtp_server(Recorder()) as (address, recorder):
        assert lgo(release_project, "send", "--smtp", address, "--no-tls").code == 0
        again = lgo(release_project, "send", "--smtp", address, "--no-tls")
        assert again.code == 0
        assert len(recorder.received) == len(SENDABLE)
        # Summarised, not a line a council; --verbose lists them.
        assert f"{len(SENDABLE)} already sent (--verbose lists them" in again.stderr
        assert "ashby: not sent" not in again.stderr
        verbose = lgo(release_project, "send", "--verbose", "--smtp", address, "--no-tls")
        assert "ashby: not sent: already sent" in verbose.stderr
        assert "--resend ashby sends it again" in verbose.stderr

        resent = lgo(release_project, "send", "--resend", "ashby", "--smtp", address, "--no-tls")
        assert resent.code == 0
    assert councils_of(recorder) == [*SENDABLE, "ashby"]
    assert sent_councils(release_project) == [*SENDABLE, "ashby"]
    # The same letter again: not a correction.
    assert not recorder.received[-1].message["Subject"].startswith("Corrected")
    messages = [received.message["Message-ID"] for received in recorder.received]
    assert len(set(messages)) == len(messages)


def test_a_refused_recipient_fails_only_that_message(release_project: Path):
    approve_all(release_project)
    with smtp_server(Recorder(refuse={"leader@ashby.example"})) as (address, recorder):
        result = lgo(release_project, "send", "--smtp", address, "--no-tls")
        assert result.code == 1
        assert "ashby: FAILED: the server refused leader@ashby.example: 550" in result.stderr
        # Nothing of Ashby's message reached anyone; every other message did.
        assert councils_of(recorder) == [s for s in SENDABLE if s != "ashby"]
        assert "ashby" not in sent_councils(release_project)
        # The attempt is logged, with the server's reply.
        (failed,) = [e for e in sent_log(release_project) if e["council"] == "ashby"]
        assert failed["result"] == "failed"
        assert failed["reply"] == "550 5.1.1 no such mailbox here (leader@ashby.example)"
        assert failed["message_id"].startswith("<") and len(failed["pdf_sha256"]) == 64
        status = lgo(release_project, "status", "--failed")
        assert status.stdout.startswith(
            f"ashby: failed {failed['at']}: 550 5.1.1 no such mailbox here"
        )
        assert f"to retry: lgo-letters send {YEAR} --only ashby" in status.stdout

        recorder.refuse.clear()  # the address is fixed: the next run sends only Ashby's
        rerun = lgo(release_project, "send", "--smtp", address, "--no-tls")
    assert rerun.code == 0, rerun.stderr
    assert councils_of(recorder)[len(SENDABLE) - 1 :] == ["ashby"]
    assert sorted(sent_councils(release_project)) == sorted(SENDABLE)
    # Both attempts are kept, and status tells them.
    assert [e["result"] for e in sent_log(release_project) if e["council"] == "ashby"] == [
        "failed",
        "sent",
    ]
    ashby = next(
        line
        for line in lgo(release_project, "status").stdout.splitlines()
        if line.startswith("ashby:")
    )
    assert "· sent " in ashby and "(2 attempts)" in ashby
    assert lgo(release_project, "status", "--failed").stdout == ""


def test_a_dropped_connection_then_a_rerun_sends_exactly_the_rest(release_project: Path):
    approve_all(release_project)
    with smtp_server(Recorder(drop_after=3)) as (address, recorder):
        result = lgo(release_project, "send", "--smtp", address, "--no-tls")
        assert result.code == 1
        assert councils_of(recorder) == SENDABLE[:3]
        assert sent_councils(release_project) == SENDABLE[:3]
        assert sent_log(release_project)[3]["result"] == "failed"
        assert f"{SENDABLE[3]}: FAILED: the connection was lost" in result.stderr
        assert f"not attempted: {SENDABLE[4]}; run send again" in result.stderr

        recorder.drop_after = None
        rerun = lgo(release_project, "send", "--smtp", address, "--no-tls")
    assert rerun.code == 0, rerun.stderr
    assert councils_of(recorder) == SENDABLE  # each exactly once
    assert sent_councils(release_project) == SENDABLE


def test_only_approved_unchanged_letters_are_sent(release_project: Path):
    assert lgo(release_project, "approve", "ashby", "barnfield", "--by", "J").code == 0
    change_record(release_project, "barnfield", investigations=8)
    with smtp_server(Recorder()) as (address, recorder):
        result = lgo(release_project, "send", "--smtp", address, "--no-tls")
    assert result.code == 0
    assert councils_of(recorder) == ["ashby"]
    assert "barnfield: not sent: it changed since its approval: its record changed" in (
        result.stderr
    )
    assert "carrow: not sent: it is not approved" in result.stderr


def test_only_limits_the_councils(release_project: Path):
    approve_all(release_project)
    with smtp_server(Recorder()) as (address, recorder):
        result = lgo(release_project, "send", "--only", "carrow", "--smtp", address, "--no-tls")
    assert result.code == 0
    assert councils_of(recorder) == ["carrow"]


def test_the_dry_run_writes_messages_to_the_outbox_and_sends_nothing(release_project: Path):
    approve_all(release_project)
    result = lgo(release_project, "send")

    assert result.code == 0, result.stderr
    outbox = release_project / "output" / str(YEAR) / "outbox"
    assert sorted(p.stem for p in outbox.glob("*.eml")) == sorted(SENDABLE)
    message = email.message_from_bytes((outbox / "ashby.eml").read_bytes(), policy=default)
    assert message["To"] == "Ms Example <chief.executive@ashby.example>"
    (attachment,) = message.iter_attachments()
    pdf = release_project / "output" / str(YEAR) / "ashby.pdf"
    assert attachment.get_content() == pdf.read_bytes()
    assert "nothing was sent" in result.stderr
    assert sent_log(release_project) == []


def test_starttls_is_the_default_and_is_not_skipped(release_project: Path):
    """A server that offers no STARTTLS gets nothing unless --no-tls says so."""
    approve_all(release_project)
    with smtp_server(Recorder()) as (address, recorder):
        result = lgo(release_project, "send", "--smtp", address)
    assert result.code == 1
    assert "does not offer STARTTLS" in result.stderr
    assert recorder.received == []
    assert sent_log(release_project) == []


def test_clear_text_only_to_localhost_and_passwords_only_from_the_environment(
    release_project: Path, monkeypatch: pytest.MonkeyPatch
):
    approve_all(release_project)
    far = lgo(release_project, "send", "--smtp", "mail.example.org:25", "--no-tls")
    assert far.code == 2
    assert "only to localhost" in far.stderr

    monkeypatch.delenv(PASSWORD_VARIABLE, raising=False)
    no_password = lgo(release_project, "send", "--smtp", "127.0.0.1:25", "--no-tls", "--user", "u")
    assert no_password.code == 2
    assert PASSWORD_VARIABLE in no_password.stderr


def test_login_with_the_password_from_the_environment(
    release_project: Path, monkeypatch: pytest.MonkeyPatch
):
    approve_all(release_project)
    login = ("sender", "correct horse")
    with smtp_server(Recorder(), login=login) as (address, recorder):
        monkeypatch.setenv(PASSWORD_VARIABLE, "correct horse")
        result = lgo(release_project, "send", "--smtp", address, "--no-tls", "--user", "sender")
    assert result.code == 0, result.stderr
    assert councils_of(recorder) == SENDABLE


def test_rate_spaces_the_messages(release_project: Path):
    approve_all(release_project)
    with smtp_server(Recorder()) as (address, recorder):
        # 300 a minute: one every 0.2 s, so three messages span at least 0.4 s.
        only = [arg for slug in SENDABLE[:3] for arg in ("--only", slug)]
        result = lgo(release_project, "send", *only, "--rate", "300", "--smtp", address, "--no-tls")
    assert result.code == 0, result.stderr
    times = [received.at for received in recorder.received]
    assert len(times) == 3
    assert times[2] - times[0] >= 0.35


def test_a_year_without_a_sender_says_so(release_project: Path):
    approve_all(release_project)
    year_file = release_project / "data" / str(YEAR) / "year.yaml"
    record = yaml.safe_load(year_file.read_text())
    del record["sender"]
    year_file.write_text(yaml.safe_dump(record))
    result = lgo(release_project, "send")
    assert result.code == 2
    assert f"{year_file}: sender: needed to send letters" in result.stderr


@pytest.fixture
def certificate_authority(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A throw-away CA that the sender trusts (SSL_CERT_FILE, as for a private CA), and a
    server context with its certificate for 127.0.0.1."""
    import ssl

    import trustme

    authority = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server)
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    return server


def test_starttls_for_real(release_project: Path, certificate_authority):
    approve_all(release_project)
    with smtp_server(Recorder(), starttls=certificate_authority) as (address, recorder):
        result = lgo(release_project, "send", "--smtp", address)
    assert result.code == 0, result.stderr
    assert councils_of(recorder) == SENDABLE


def test_tls_from_the_start_with_ssl(release_project: Path, certificate_authority):
    approve_all(release_project)
    with smtp_server(Recorder(), tls=certificate_authority) as (address, recorder):
        result = lgo(release_project, "send", "--smtp", address, "--ssl", "--only", "ashby")
    assert result.code == 0, result.stderr
    assert councils_of(recorder) == ["ashby"]


def test_a_certificate_nobody_vouches_for_gets_nothing(
    release_project: Path, certificate_authority, monkeypatch: pytest.MonkeyPatch
):
    approve_all(release_project)
    monkeypatch.delenv("SSL_CERT_FILE")
    with smtp_server(Recorder(), starttls=certificate_authority) as (address, recorder):
        result = lgo(release_project, "send", "--smtp", address)
    assert result.code == 1
    assert "certificate verify failed" in result.stderr
    assert recorder.received == []
    assert sent_log(release_project) == []


def test_one_send_of_a_year_at_a_time(release_project: Path):
    approve_all(release_project)
    with (
        folder_lock(release_project / "data" / str(YEAR), "held by this test"),
        smtp_server(Recorder()) as (address, recorder),
    ):
        result = lgo(release_project, "send", "--smtp", address, "--no-tls")
    assert result.code == 2
    assert f"error: another send of {YEAR} is running" in result.stderr
    assert recorder.received == []
