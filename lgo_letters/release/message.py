"""One council's email: the covering note from the year's template, the letter attached."""

from __future__ import annotations

import datetime as dt
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import jinja2

from lgo_letters.context import LetterContext
from lgo_letters.errors import TemplateError
from lgo_letters.renderer import Templates
from lgo_letters.schema.models import Sender

TEXT_TEMPLATE = "email.txt.j2"
HTML_TEMPLATE = "email.html.j2"  # optional


def publication_name(slug: str, year: int, suffix: str) -> str:
    """The file name a letter goes out under, attached or published."""
    return f"{slug}-annual-review-letter-{year}{suffix}"


def _render(templates: Templates, name: str, letter: LetterContext, escape: bool) -> str:
    env = templates.env if escape else templates.env.overlay(autoescape=False)
    try:
        return env.get_template(name).render(letter=letter)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(
            f"{templates.dir / (error.name or name)}:{error.lineno}: "
            f"template syntax error: {error.message}"
        ) from None
    except jinja2.TemplateError as error:
        raise TemplateError(f"{templates.dir / name}: {error}") from None
    except Exception as error:  # any fault of the template costs this message only
        raise TemplateError(f"{templates.dir / name}: {type(error).__name__}: {error}") from None


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
    message.set_content(_render(templates, f"{folder}/{TEXT_TEMPLATE}", letter, escape=False))
    if (templates.dir / folder / HTML_TEMPLATE).is_file():
        html = _render(templates, f"{folder}/{HTML_TEMPLATE}", letter, escape=True)
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
