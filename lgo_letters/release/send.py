"""Sending the approved letters: a dry run into output/<year>/outbox/, or over SMTP.

Only a letter that is approved, unchanged since, not a draft, addressed, and whose
addresses are its council's alone (release/addresses.py) is sent, and never twice: each
attempt is appended to data/<year>/sent.yaml the moment it ends (sent, or failed with the
server's reply), the log is read again before each message if anything else wrote it, and
a council already sent its letter is skipped unless asked to resend. A letter corrected
since it was sent goes again only with --resend, as a correction ("Corrected: " subject).

A refused recipient fails only that message (nothing of it is delivered: the envelope is
reset before the data); a dropped connection, or a server that runs past the time allowed
for a message (--timeout), fails that message and leaves the rest for the next run. The
first Ctrl-C or SIGTERM stops after the message in hand; a second stops at once, except
during a message's exchange with the server: that ends first (within --timeout) and is
logged, so a message delivered is never left out of the log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Literal, Protocol

from lgo_letters.context.letter import Correction
from lgo_letters.errors import OutputError, TemplateError, UsageError
from lgo_letters.hashing import sha256_bytes
from lgo_letters.output import write_atomic
from lgo_letters.release.addresses import mailbox
from lgo_letters.release.corrections import keep_released_text, sending_correction
from lgo_letters.release.ledgers import SentLog, SentMessage, now_utc
from lgo_letters.release.message import letter_message, message_file, needs_smtputf8
from lgo_letters.release.smtp import BoundedClient, ExchangeAborted, SmtpSettings, connect
from lgo_letters.release.state import LetterState, YearState, why_not_released
from lgo_letters.renderer import Templates
from lgo_letters.schema.models import Sender
from lgo_letters.sentences import letter_text
from lgo_letters.signals import StopSignals

log = logging.getLogger(__name__)

OUTBOX = "outbox"
# Why a letter is held back, when it is not something to act on: summarised, not listed.
ALREADY_SENT = "already sent"
SUPERSEDED = "superseded"
OTHER = "other"


class Progress(Protocol):
    """Told of each message as it ends (build's progress display fits)."""

    def start(self, total: int) -> None: ...

    def letter(self, slug: str, message: str, failed: bool = False) -> None: ...

    def stop(self) -> None: ...


class _Quiet:
    def start(self, total: int) -> None:
        pass

    def letter(self, slug: str, message: str, failed: bool = False) -> None:
        pass

    def stop(self) -> None:
        pass


@dataclass(frozen=True)
class Held:
    """Why a letter is not sent, and what kind of reason that is."""

    reason: str
    kind: str = OTHER  # ALREADY_SENT, SUPERSEDED or OTHER


@dataclass(frozen=True)
class Outgoing:
    state: LetterState
    correction: Correction | None  # set when the letter goes again as a correction
    sent_before: int  # messages to this council the server had accepted when planned


@dataclass(frozen=True)
class _Made:
    message: EmailMessage
    recipients: list[str]  # as the envelope carries them
    pdf_sha256: str
    smtputf8: list[str]  # addresses that need the server's SMTPUTF8


@dataclass
class SendReport:
    dry_run: bool
    asked: tuple[str, ...] = ()  # councils named with --only or --resend
    sent: list[SentMessage] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # the dry run's .eml files
    held: dict[str, Held] = field(default_factory=dict)  # slug → why it is not sent
    failed: dict[str, str] = field(default_factory=dict)  # slug → what went wrong
    not_attempted: list[str] = field(default_factory=list)
    fatal: str = ""  # why sending stopped altogether
    interrupted_by: int | None = None  # the signal that stopped the run early
    stopped_at_once: bool = False  # a second signal: stopped mid-way

    @property
    def held_asked(self) -> dict[str, Held]:
        """Letters asked for by name that are held back."""
        return {slug: self.held[slug] for slug in self.asked if slug in self.held}

    @property
    def ok(self) -> bool:
        return not (self.failed or self.not_attempted or self.fatal or self.held_asked)

    @property
    def exit_code(self) -> int:
        """128 + the signal when one left messages unsent; else 1 when anything failed, was
        left, or a letter asked for by name is held back; else 0."""
        if self.interrupted_by and (self.not_attempted or self.stopped_at_once):
            return 128 + self.interrupted_by
        return 0 if self.ok else 1


class SendSignals(StopSignals):
    """As a build's: the first signal stops after the message in hand, a second at once;
    but not in the middle of a message's exchange with the server (`hold`): that ends
    (within --timeout) and is logged first."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = False
        self.deferred = False

    def _handle(self, signum: int, frame: object) -> None:
        if self.received is not None and self.holding:
            self.deferred = True  # stop at once, once this message is logged
            return
        super()._handle(signum, frame)

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
        if self.deferred:
            raise KeyboardInterrupt


def why_not_sent(state: LetterState, resend: bool) -> Held | None:
    reason = why_not_released(state)
    if reason is not None:
        return Held(reason)
    if not state.emails:
        return Held("its record has no email address")
    if state.address_conflicts:
        return Held(f"held back: {'; '.join(state.address_conflicts)}")
    last = state.last_sent
    if last is not None and not resend:
        if state.superseded:
            return Held(
                f"sent {last.at}, superseded by a corrected letter (approved "
                f"{state.approval.at if state.approval else '?'}): --resend {state.slug} "
                "sends the correction",
                SUPERSEDED,
            )
        return Held(
            f"already sent {last.at} to {', '.join(last.to + last.cc)} "
            f"({last.message_id}); --resend {state.slug} sends it again",
            ALREADY_SENT,
        )
    return None


def year_sender(year: YearState) -> Sender:
    year_record = year.prepared.records.year_record
    sender = year_record.sender if year_record else None
    if sender is None:
        raise UsageError(
            f"{year.prepared.records.year_file}: sender: needed to send letters "
            "(sender: {name: …, address: …, reply_to: …})"
        )
    return sender


def plan(year: YearState, only: list[str], resend: list[str], report: SendReport) -> list[Outgoing]:
    """The letters to send, in order of slug; every other one chosen goes in report.held."""
    year_sender(year)
    chosen = set(only) | set(resend)
    report.asked = tuple(sorted(chosen))
    outgoing = []
    for slug, state in year.letters.items():
        if chosen and slug not in chosen:
            continue
        held = why_not_sent(state, resend=slug in resend)
        if held is not None:
            report.held[slug] = held
            continue
        correction = None
        if slug in resend:
            correction = sending_correction(year.year_dir, state, letter_text(state.html))
        outgoing.append(Outgoing(state, correction, len(state.sent)))
    return outgoing


def _make(
    year: YearState, templates: Templates, item: Outgoing, now: dt.datetime
) -> _Made | Held | str:
    """The message, made just before it goes: Held if the PDF on disk is not the one
    approved; the template's fault as text."""
    state = item.state
    assert state.pdf is not None and state.approval is not None
    try:
        pdf = state.pdf.read_bytes()
    except OSError as error:
        return Held(f"its PDF cannot be read: {error.strerror}")
    pdf_sha = sha256_bytes(pdf)
    if pdf_sha != state.approval.pdf_sha256:
        return Held("the PDF on disk is not the one approved")  # changed since read
    sender = year_sender(year)
    try:
        message = letter_message(
            templates,
            year.prepared.letters[state.slug],
            sender,
            list(state.emails),
            list(state.cc),
            pdf,
            now,
            item.correction,
        )
    except TemplateError as error:
        return str(error)
    recipients = [mailbox(address).wire for address in (*state.emails, *state.cc)]
    everyone = [sender.address, *state.emails, *state.cc]
    return _Made(message, recipients, pdf_sha, needs_smtputf8(everyone))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def write_outbox(
    year: YearState,
    templates: Templates,
    out_dir: Path,
    outgoing: list[Outgoing],
    report: SendReport,
    progress: Progress | None = None,
    stop: StopSignals | None = None,
) -> None:
    """The dry run: each message as outbox/<slug>.eml; earlier dry runs' files go."""
    progress = progress or _Quiet()
    outbox = out_dir / OUTBOX
    keep = {message_file(outbox, o.state.slug) for o in outgoing}
    if outbox.is_dir():
        for old in outbox.glob("*.eml"):
            if old not in keep:
                old.unlink()
    for index, item in enumerate(outgoing):
        slug = item.state.slug
        if stop is not None and stop():
            report.interrupted_by = stop.received
            report.not_attempted = [o.state.slug for o in outgoing[index:]]
            return
        made = _make(year, templates, item, _now())
        if isinstance(made, Held):
            report.held[slug] = made
            progress.letter(slug, f"not written: {made.reason}", failed=True)
            continue
        if isinstance(made, str):
            report.failed[slug] = made
            progress.letter(slug, made, failed=True)
            continue
        target = message_file(outbox, slug)
        write_atomic(target, made.message.as_bytes(), durable=False)
        report.written.append(target)
        progress.letter(slug, str(target))


def _deliver(smtp: smtplib.SMTP, sender: str, made: _Made) -> str:
    """MAIL, every RCPT, then DATA only if all were accepted: a refused recipient means
    nothing of this message is delivered to anyone. The server's reply to the content."""
    options = []
    if made.smtputf8:
        if not smtp.has_extn("smtputf8"):
            raise smtplib.SMTPNotSupportedError(
                f"the server does not offer SMTPUTF8, which {', '.join(made.smtputf8)} "
                "needs (its part before the @ is not ASCII): send through a server that "
                "offers it, or give the council an ASCII address"
            )
        options = ["SMTPUTF8", "BODY=8BITMIME"]
    code, reply = smtp.mail(mailbox(sender).wire, options)
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = {}
    for recipient in made.recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
    if refused:
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    # smtplib sends bytes as they are: SMTP wants CRLF line ends.
    wire = made.message.as_bytes(policy=made.message.policy.clone(linesep="\r\n"))
    code, reply = smtp.data(wire)
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPDataError(code, reply)
    return f"{code} {reply.decode(errors='replace')}"


def _refusal(error: smtplib.SMTPException) -> tuple[str, str]:
    """(what to tell the person, the server's reply for the log)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        replies = [
            (address, f"{code} {reply.decode(errors='replace')}")
            for address, (code, reply) in error.recipients.items()
        ]
        said = "; ".join(f"{address}: {reply}" for address, reply in replies)
        return (
            f"the server refused {said}; nothing of this message was delivered",
            "; ".join(f"{reply} ({address})" for address, reply in replies),
        )
    if isinstance(error, smtplib.SMTPResponseException):
        words = error.smtp_error  # bytes from the server; str when smtplib words it itself
        text = words.decode(errors="replace") if isinstance(words, bytes) else words
        reply = f"{error.smtp_code} {text}"
        return f"the server refused it: {reply}", reply
    return str(error), str(error)


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


def _attempt(
    item: Outgoing, made: _Made, result: Literal["sent", "failed"], reply: str
) -> SentMessage:
    return SentMessage(
        council=item.state.slug,
        result=result,
        at=now_utc(),
        to=list(item.state.emails),
        cc=list(item.state.cc),
        message_id=str(made.message["Message-ID"]),
        pdf_sha256=made.pdf_sha256,
        subject=str(made.message["Subject"]),
        reply=reply,
    )


@dataclass(frozen=True)
class _Outcome:
    entry: SentMessage  # the attempt, as the log keeps it
    said: str  # what went wrong, for the person ("" when sent)
    go_on: bool  # whether the connection can take the next message


def _exchange(smtp: smtplib.SMTP, sender: str, item: Outgoing, made: _Made) -> _Outcome:
    """One message over the connection, and how it ended."""
    try:
        reply = _deliver(smtp, sender, made)
    except smtplib.SMTPServerDisconnected as error:  # ExchangeAborted too: out of time
        why = str(error) or "closed by the server"
        if not isinstance(error, ExchangeAborted):
            why = f"the connection was lost: {why}"
        return _Outcome(_attempt(item, made, "failed", why), why, go_on=False)
    except smtplib.SMTPException as error:  # (an OSError too: caught before those)
        said, reply = _refusal(error)
        return _Outcome(_attempt(item, made, "failed", reply), said, go_on=True)
    except OSError as error:
        why = f"the connection failed: {error}"
        return _Outcome(_attempt(item, made, "failed", why), why, go_on=False)
    return _Outcome(_attempt(item, made, "sent", reply), "", go_on=True)


@dataclass
class _Run:
    """One run over one connection: what each message needs besides itself."""

    year: YearState
    templates: Templates
    smtp: BoundedClient
    sender: str
    ledger: SentLog
    pace: _Pace
    timeout: float
    report: SendReport
    progress: Progress
    stop: SendSignals

    def send_one(self, item: Outgoing) -> bool:
        """Make the message, send it and log the attempt; False when the run must stop (the
        connection is gone or timed out, or the log cannot be written)."""
        slug, report, progress = item.state.slug, self.report, self.progress
        if self.ledger.sent_count(slug) > item.sent_before:
            last = [e for e in self.ledger.current() if e.council == slug and e.sent][-1]
            report.held[slug] = Held(
                f"sent meanwhile by another run, {last.at} ({last.message_id})"
            )
            progress.letter(slug, "not sent: sent meanwhile by another run", failed=True)
            return True
        made = _make(self.year, self.templates, item, _now())
        if isinstance(made, Held):
            report.held[slug] = made
            progress.letter(slug, f"not sent: {made.reason}", failed=True)
            return True
        if isinstance(made, str):
            report.failed[slug] = made
            progress.letter(slug, made, failed=True)
            return True
        self.pace.wait()
        self.smtp.limit(self.timeout)
        with self.stop.hold():  # a second signal waits for the reply and the log entry
            outcome = _exchange(self.smtp, self.sender, item, made)
            self.log(outcome.entry)
            if outcome.entry.sent:
                report.sent.append(outcome.entry)
                self.keep_text(item, made)
            else:
                report.failed[slug] = outcome.said
        if outcome.entry.sent:
            entry = outcome.entry
            progress.letter(slug, f"to {', '.join(entry.to + entry.cc)} ({entry.message_id})")
            log.debug("sent %s: %s", slug, entry.reply)
        else:
            progress.letter(slug, outcome.said, failed=True)
        return outcome.go_on and not report.fatal

    def log(self, entry: SentMessage) -> None:
        try:
            self.ledger.append(entry)
        except OutputError as error:  # the run stops: nothing more goes unlogged
            done = "was sent" if entry.sent else "failed"
            self.report.fatal = (
                f"{entry.council} {done} ({entry.message_id}) but could not be logged: "
                f"{error}; add it to {self.ledger.file} by hand before sending again"
            )

    def keep_text(self, item: Outgoing, made: _Made) -> None:
        """The text that went out, to name what a later correction changes."""
        with contextlib.suppress(OutputError):
            keep_released_text(
                self.year.year_dir, item.state.slug, made.pdf_sha256, letter_text(item.state.html)
            )


def send_over_smtp(
    year: YearState,
    templates: Templates,
    settings: SmtpSettings,
    outgoing: list[Outgoing],
    report: SendReport,
    per_minute: float | None = None,
    progress: Progress | None = None,
    stop: SendSignals | None = None,
) -> None:
    """Send each message, logging each attempt in sent.yaml the moment it ends. The first
    stop signal ends the run before the next message; a second, at once (see SendSignals)."""
    if not outgoing:
        return
    stop = stop or SendSignals()
    try:
        smtp = connect(settings)
    except (OSError, smtplib.SMTPException) as error:
        report.fatal = f"cannot connect to {settings.host}:{settings.port}: {error}"
        report.not_attempted = [o.state.slug for o in outgoing]
        return
    run = _Run(
        year,
        templates,
        smtp,
        year_sender(year).address,
        SentLog(year.year_dir),
        _Pace(per_minute),
        settings.timeout,
        report,
        progress or _Quiet(),
        stop,
    )
    done = 0  # messages dealt with, in order
    with contextlib.closing(smtp):
        try:
            for item in outgoing:
                if stop():
                    report.interrupted_by = stop.received
                    break
                go_on = run.send_one(item)
                done += 1
                if not go_on:
                    break
            else:
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    smtp.limit(settings.timeout)
                    smtp.quit()
        except KeyboardInterrupt:  # a second signal: stop at once
            report.interrupted_by = stop.received
            report.stopped_at_once = True
            slug = outgoing[done].state.slug
            dealt_with = slug in report.failed or slug in report.held
            if dealt_with or any(e.council == slug for e in report.sent):
                done += 1  # the message in hand was dealt with (and logged, if sent)
    report.not_attempted = [o.state.slug for o in outgoing[done:]]
