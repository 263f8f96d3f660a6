"""The records, as validated models: a year's file and one council's file.

Types are strict: "two", 2.5 or true is never quietly taken for a count, and keys that a
record does not define are errors (a typo must not vanish silently).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

AuthorityType = Literal["county", "district", "metropolitan", "unitary", "london"]
AUTHORITY_TYPES: tuple[str, ...] = AuthorityType.__args__  # type: ignore[attr-defined]

Count = Annotated[int, Field(strict=True, ge=0)]
Percent = Annotated[int, Field(strict=True, ge=0, le=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

# An ONS GSS code: a letter for the nation and eight digits, e.g. E07000107.
_GSS_CODE = re.compile(r"^[EWSN]\d{8}$")


def _gss_code(value: str) -> str:
    if not _GSS_CODE.match(value):
        raise ValueError(
            f"'{value}' is not an ONS GSS code: a letter (E, W, S or N) and eight digits, "
            "e.g. E07000107"
        )
    return value


def _email_address(value: str) -> str:
    """The address as written, once it is known to be a well-formed address (offline: no DNS)."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        reason = str(error).rstrip(".")
        raise ValueError(
            f"'{value}' is not an email address: {reason[:1].lower()}{reason[1:]}"
        ) from None
    return value


def _one_or_more(value: object) -> object:
    """`email: a@b.org` and `email: [a@b.org, c@d.org]` are both a list of addresses."""
    return [value] if isinstance(value, str) else value


GssCode = Annotated[Text, AfterValidator(_gss_code)]
EmailAddress = Annotated[Text, AfterValidator(_email_address)]
EmailAddresses = Annotated[list[EmailAddress], BeforeValidator(_one_or_more), Field(min_length=1)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Averages(_Record):
    """Similar-authority averages for one type of authority, in whole per cent."""

    upheld: Percent
    compliance: Percent
    satisfactory_remedy: Percent


class Signatory(_Record):
    name: Text = "Michael King"
    titles: list[Text] = [
        "Local Government and Social Care Ombudsman",
        "Chair, Commission for Local Administration in England",
    ]


class Sender(_Record):
    """Who the letters are emailed from (`lgo-letters send`)."""

    name: Text
    address: EmailAddress
    reply_to: EmailAddress | None = None


class YearRecord(_Record):
    """data/<year>/year.yaml: facts shared by every letter of the year."""

    letter_date: dt.date
    publication_date: dt.date
    averages: dict[AuthorityType, Averages] = {}
    signatory: Signatory = Signatory()
    # An image of the signatory's signature, relative to year.yaml; where the year's
    # format shows one and this is not given, the bundled placeholder is used.
    signature_image: Text | None = None
    # The official list of the year's councils (CSV or XLSX with code and name columns),
    # relative to year.yaml; `validate` compares the records with it.
    councils_list: Text | None = None
    # From and Reply-To of the emailed letters; `send` needs it, nothing else does.
    sender: Sender | None = None


class Statistics(_Record):
    investigations: Count
    upheld: Count
    satisfactory_remedies: Count
    compliance_outcomes: Count
    complied: Count


class CouncilRecord(_Record):
    """data/<year>/councils/<slug>.yaml: one council's letter."""

    name: Text
    type: AuthorityType
    recipients: Annotated[list[Text], Field(min_length=1)]
    role: Text
    salutation: Text | None = None
    # The council's ONS GSS code; spreadsheets are matched to records by it.
    code: GssCode | None = None
    # Where the letter is emailed: the chief executive (To) and those copied (Cc).
    email: EmailAddresses | None = None
    cc: EmailAddresses | None = None
    statistics: Statistics
    late_remedies: Count | None = None
    late_remedies_detail: Text | None = None
    training_courses: Count | None = None
    comments: list[Text] = []
    draft: bool = False


# Optional council fields that only some years' formats have a place for; a year's
# templates/<year>/format.yaml lists which of these it uses.
FormatField = Literal["late_remedies", "late_remedies_detail", "training_courses", "comments"]
FORMAT_FIELDS: tuple[str, ...] = FormatField.__args__  # type: ignore[attr-defined]


class FormatRecord(_Record):
    """templates/<year>/format.yaml: the optional council fields that year's letter prints."""

    fields: list[FormatField] = []
