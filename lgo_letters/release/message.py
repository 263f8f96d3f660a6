"""One council's email: the covering note from the year's template, the letter attached."""

from __future__ import annotations

import dataclasses
import datetime as dt
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from lgo_letters.context import LetterContext
from lgo_letters.context.letter import Correction
from lgo_letters.errors import TemplateError
from lgo_letters.release.addresses import Mailbox, mailbox
from lgo_letters.renderer import Templates
from lgo_letters.renderer.html import render_template
from lgo_letters.schema.models import Sender

TEXT_TEMPLATE = "email.txt.j2"
HTML_TEMPLATE = "email.html.j2"  # optional
CORRECTED = "Corrected: "  # begins the subject of a letter sent again as a correction

# A message with an address whose part before the @ is not ASCII is an internationalised
# message (RFC 6532): its headers are UTF-8, and only a server offering SMTPUTF8 takes it.
_UTF8 = policy.default.clone(utf8=True)


def publication_name(slug: str, year: int, suffix: str) -> str:
    """The file name a letter goes out under, attached or published."""
    return f"{slug}-annual-review-letter-{year}{suffix}"


def _address(box: Mailbox, name: str = "") -> Address:
    local, _, domain = box.wire.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


def recipients_to(letter: LetterContext, emails: list[str]) -> list[Address]:
    """The To addresses with the recipients' names: the first address carries the first
    name of the record's `recipients`, the second the second, and so on; addresses beyond
    the names carry none (`"Mrs Jolly" <chief.executive@…>`)."""
    names = list(letter.council.recipients)
    return [
        _address(mailbox(email), names[index] if index < len(names) else "")
        for index, email in enumerate(emails)
    ]


def needs_smtputf8(addresses: list[str]) -> list[str]:
    """The addresses only a server offering SMTPUTF8 can take."""
    return [address for address in addresses if mailbox(address).smtputf8]


def letter_message(
    templates: Templates,
    letter: LetterContext,
    sender: Sender,
    to: list[str],
    cc: list[str],
    pdf: bytes,
    now: dt.datetime,
    correction: Correction | None = None,
) -> EmailMessage:
    """The message for one council: To its `email` (with the recipients' names), Cc its
    `cc`, the letter as a PDF. A correction's subject begins "Corrected: ", and its
    covering note gets `letter.correction`."""
    folder = str(letter.year)
    if not (templates.dir / folder / TEXT_TEMPLATE).is_file():
        raise TemplateError(
            f"{templates.dir / folder / TEXT_TEMPLATE}: no covering note for {folder}"
        )
    if correction is not None:
        letter = dataclasses.replace(letter, correction=correction)
    everyone = [sender.address, *([sender.reply_to] if sender.reply_to else []), *to, *cc]
    message = EmailMessage(policy=_UTF8 if needs_smtputf8(everyone) else policy.default)
    subject = letter.title  # "Annual Review letter YEAR <en dash> <council>"
    message["Subject"] = CORRECTED + subject if correction is not None else subject
    message["From"] = _address(mailbox(sender.address), sender.name)
    if sender.reply_to:
        message["Reply-To"] = _address(mailbox(sender.reply_to), sender.name)
    message["To"] = recipients_to(letter, to)
    if cc:
        message["Cc"] = [_address(mailbox(address)) for address in cc]
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=mailbox(sender.address).domain)
    message.set_content(
        render_template(templates, f"{folder}/{TEXT_TEMPLATE}", letter, autoescape=False)
    )
    if (templates.dir / folder / HTML_TEMPLATE).is_file():
        html = render_template(templates, f"{folder}/{HTML_TEMPLATE}", letter)
        message.add_alternative(html, subtype="html")
    message.add_attachment(
        pdf,
        maintype="application",
        subtype="pdf",
        filename=publication_name(letter.slug, letter.year, ".pdf"),
    )
    return message


def message_file(outbox: Path, slug: str) -> Path:
    return outbox / f"{slug}.eml"
