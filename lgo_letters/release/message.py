"""One council's email: the covering note from the year's template, the letter attached."""

from __future__ import annotations

import datetime as dt
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from lgo_letters.context import LetterContext
from lgo_letters.errors import TemplateError
from lgo_letters.renderer import Templates
from lgo_letters.renderer.html import render_template
from lgo_letters.schema.models import Sender

TEXT_TEMPLATE = "email.txt.j2"
HTML_TEMPLATE = "email.html.j2"  # optional


def publication_name(slug: str, year: int, suffix: str) -> str:
    """The file name a letter goes out under, attached or published."""
    return f"{slug}-annual-review-letter-{year}{suffix}"


def letter_message(
    templates: Templates,
    letter: LetterContext,
    sender: Sender,
    to: list[str],
    cc: list[str],
    pdf: bytes,
    now: dt.datetime,
) -> EmailMessage:
    """The message for one council: To its `email`, Cc its `cc`, the letter as a PDF."""
    folder = str(letter.year)
    if not (templates.dir / folder / TEXT_TEMPLATE).is_file():
        raise TemplateError(
            f"{templates.dir / folder / TEXT_TEMPLATE}: no covering note for {folder}"
        )
    message = EmailMessage()
    message["Subject"] = letter.title  # "Annual Review letter YEAR <en dash> <council>"
    message["From"] = Address(sender.name, addr_spec=sender.address)
    if sender.reply_to:
        message["Reply-To"] = Address(sender.name, addr_spec=sender.reply_to)
    message["To"] = [Address(addr_spec=address) for address in to]
    if cc:
        message["Cc"] = [Address(addr_spec=address) for address in cc]
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=sender.address.rpartition("@")[2])
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
