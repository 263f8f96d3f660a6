"""Sending the approved letters: a dry run into output/<year>/outbox/, or over SMTP.

Only a letter that is approved, unchanged since, not a draft and addressed is sent, and
never twice: each message sent is appended to data/<year>/sent.yaml the moment the server
accepts it, and a council found there is skipped unless asked to resend. A refused
recipient fails only that message (nothing of it is delivered: the envelope is reset
before the data); a dropped connection fails that message and leaves the rest for the
next run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import logging
import os
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from lgo_letters.build.inputs import sha256_bytes
from lgo_letters.errors import OutputError, TemplateError, UsageError
from lgo_letters.output import write_atomic
from lgo_letters.release.ledgers import SentMessage, append_sent, now_utc
from lgo_letters.release.message import letter_message, message_file
from lgo_letters.release.state import LetterState, YearState, why_not_released
from lgo_letters.renderer import Templates
from lgo_letters.schema.models import Sender

log = logging.getLogger(__name__)

PASSWORD_VARIABLE = "LGO_LETTERS_SMTP_PASSWORD"
STARTTLS, SSL, PLAIN = "starttls", "ssl", "none"
OUTBOX = "outbox"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str = STARTTLS  # STARTTLS, SSL or PLAIN (localhost only)
    user: str | None = None
    password: str | None = None
    timeout: float = 60.0


def is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def smtp_settings(server: str, use_ssl: bool, no_tls: bool, user: str | None) -> SmtpSettings:
    """--smtp HOST:PORT and its options, checked; the password comes from the environment."""
    host, colon, port = server.rpartition(":")
    host = host.strip("[]")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--smtp must be HOST:PORT, not '{server}'")
    if use_ssl and no_tls:
        raise UsageError("--ssl and --no-tls contradict each other")
    if no_tls and not is_local(host):
        raise UsageError(f"--no-tls sends in clear text: only to localhost, not to {host}")
    password = None
    if user is not None:
        password = os.environ.get(PASSWORD_VARIABLE)
        if not password:
            raise UsageError(
                f"--user {user} needs the password in the environment variable "
                f"{PASSWORD_VARIABLE} (never on the command line)"
            )
    security = SSL if use_ssl else PLAIN if no_tls else STARTTLS
    return SmtpSettings(host, int(port), security, user, password)


@dataclass
class Outgoing:
    state: LetterState
    message: EmailMessage
    recipients: list[str]
    pdf_sha256: str


@dataclass
class SendReport:
    dry_run: bool
    sent: list[SentMessage] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # the dry run's .eml files
    held: dict[str, str] = field(default_factory=dict)  # slug → why it is not sent
    failed: dict[str, str] = field(default_factory=dict)  # slug → what went wrong
    not_attempted: list[str] = field(default_factory=list)
    fatal: str = ""  # why sending stopped altogether

    @property
    def ok(self) -> bool:
        return not (self.failed or self.not_attempted or self.fatal)


def why_not_sent(state: LetterState, resend: bool) -> str | None:
    reason = why_not_released(state)
    if reason is not None:
        return reason
    if not state.emails:
        return "its record has no email address"
    if state.sent and not resend:
        last = state.sent[-1]
        return (
            f"already sent {last.at} to {', '.join(last.to + last.cc)} "
            f"({last.message_id}); --resend {state.slug} sends it again"
        )
    return None


def plan(
    year: YearState,
    templates: Templates,
    only: list[str],
    resend: list[str],
    report: SendReport,
) -> list[Outgoing]:
    """The messages to send, in order of slug; every other letter goes in report.held."""
    year_record = year.prepared.records.year_record
    sender: Sender | None = year_record.sender if year_record else None
    if sender is None:
        raise UsageError(
            f"{year.prepared.records.year_file}: sender: needed to send letters "
            "(sender: {name: …, address: …, reply_to: …})"
        )
    chosen = set(only) | set(resend)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    outgoing = []
    for slug, state in year.letters.items():
        if chosen and slug not in chosen:
            continue
        reason = why_not_sent(state, resend=slug in resend)
        if reason is None:
            assert state.pdf is not None and state.approval is not None
            try:
                pdf = state.pdf.read_bytes()
            except OSError as error:
                pdf = b""
                reason = f"its PDF cannot be read: {error.strerror}"
            pdf_sha = sha256_bytes(pdf)
            if reason is None and pdf_sha != state.approval.pdf_sha256:
                reason = "the PDF on disk is not the one approved"  # changed since read
        if reason is not None:
            report.held[slug] = reason
            continue
        letter = year.prepared.letters[slug]
        try:
            message = letter_message(
                templates, letter, sender, list(state.emails), list(state.cc), pdf, now
            )
        except TemplateError as error:
            report.failed[slug] = str(error)
            continue
        recipients = [*state.emails, *state.cc]
        outgoing.append(Outgoing(state, message, recipients, pdf_sha))
    return outgoing


def write_outbox(out_dir: Path, outgoing: list[Outgoing], report: SendReport) -> None:
    """The dry run: each message as outbox/<slug>.eml; earlier dry runs' files go."""
    outbox = out_dir / OUTBOX
    keep = {message_file(outbox, o.state.slug) for o in outgoing}
    if outbox.is_dir():
        for old in outbox.glob("*.eml"):
            if old not in keep:
                old.unlink()
    for item in outgoing:
        target = message_file(outbox, item.state.slug)
        write_atomic(target, item.message.as_bytes(), durable=False)
        report.written.append(target)


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if settings.security == SSL:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        smtp.ehlo()
        if settings.security == STARTTLS:
            if not smtp.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError(
                    f"{settings.host}:{settings.port} does not offer STARTTLS "
                    "(--ssl for a TLS port; --no-tls only for localhost)"
                )
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.user:
            smtp.login(settings.user, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _deliver(smtp: smtplib.SMTP, sender: str, item: Outgoing) -> None:
    """MAIL, every RCPT, then DATA only if all were accepted: a refused recipient means
    nothing of this message is delivered to anyone."""
    code, reply = smtp.mail(sender)
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = {}
    for recipient in item.recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
    if refused:
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    # smtplib sends bytes as they are: SMTP wants CRLF line ends.
    wire = item.message.as_bytes(policy=item.message.policy.clone(linesep="\r\n"))
    code, reply = smtp.data(wire)
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPDataError(code, reply)


def _refusal(error: smtplib.SMTPException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{address}: {code} {reply.decode(errors='replace')}"
            for address, (code, reply) in error.recipients.items()
        )
        return f"the server refused {refused}; nothing of this message was delivered"
    if isinstance(error, smtplib.SMTPResponseException):
        return (
            f"the server refused it: {error.smtp_code} {error.smtp_error.decode(errors='replace')}"
        )
    return str(error)


class _Pace:
    """At most `per_minute` messages a minute: each waits until its time slot."""

    def __init__(self, per_minute: float | None):
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        delay = self.next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self.next_at = max(self.next_at, time.monotonic()) + self.interval


def send_over_smtp(
    year: YearState,
    settings: SmtpSettings,
    outgoing: list[Outgoing],
    report: SendReport,
    per_minute: float | None = None,
) -> None:
    """Send each message, logging it in sent.yaml the moment the server accepts it."""
    if not outgoing:
        return
    year_record = year.prepared.records.year_record
    assert year_record is not None and year_record.sender is not None
    sender = year_record.sender.address
    try:
        smtp = connect(settings)
    except (OSError, smtplib.SMTPException) as error:
        report.fatal = f"cannot connect to {settings.host}:{settings.port}: {error}"
        report.not_attempted = [o.state.slug for o in outgoing]
        return
    pace = _Pace(per_minute)
    with contextlib.closing(smtp):
        for index, item in enumerate(outgoing):
            slug = item.state.slug
            pace.wait()
            try:
                _deliver(smtp, sender, item)
            except smtplib.SMTPServerDisconnected as error:
                report.failed[slug] = f"the connection was lost: {error or 'closed by the server'}"
                report.not_attempted = [o.state.slug for o in outgoing[index + 1 :]]
                return
            except smtplib.SMTPException as error:  # (an OSError too: caught before those)
                report.failed[slug] = _refusal(error)
                continue
            except OSError as error:
                report.failed[slug] = f"the connection failed: {error}"
                report.not_attempted = [o.state.slug for o in outgoing[index + 1 :]]
                return
            entry = SentMessage(
                council=slug,
                at=now_utc(),
                message_id=str(item.message["Message-ID"]),
                to=list(item.state.emails),
                cc=list(item.state.cc),
                pdf_sha256=item.pdf_sha256,
            )
            try:
                append_sent(year.year_dir, entry)
            except OutputError as error:  # sent but not logged: stop before it happens again
                report.fatal = (
                    f"{slug} was sent ({entry.message_id}) but could not be logged: {error}; "
                    f"add it to {year.year_dir / 'sent.yaml'} by hand before sending again"
                )
                report.not_attempted = [o.state.slug for o in outgoing[index + 1 :]]
                return
            report.sent.append(entry)
            log.debug("sent %s to %s", slug, ", ".join(item.recipients))
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.quit()
