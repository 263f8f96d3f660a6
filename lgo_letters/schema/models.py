"""The records, as validated models: a year's file and one council's file.

Types are strict: "two", 2.5 or true is never quietly taken for a count, and keys that a
record does not define are errors (a typo must not vanish silently).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

AuthorityType = Literal["county", "district", "metropolitan", "unitary", "london"]
AUTHORITY_TYPES: tuple[str, ...] = AuthorityType.__args__  # type: ignore[attr-defined]

Count = Annotated[int, Field(strict=True, ge=0)]
Percent = Annotated[int, Field(strict=True, ge=0, le=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


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


class YearRecord(_Record):
    """data/<year>/year.yaml: facts shared by every letter of the year."""

    letter_date: dt.date
    publication_date: dt.date
    averages: dict[AuthorityType, Averages] = {}
    signatory: Signatory = Signatory()
    # An image of the signatory's signature, relative to year.yaml; where the year's
    # format shows one and this is not given, the bundled placeholder is used.
    signature_image: Text | None = None


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
    statistics: Statistics
    late_remedies: Count | None = None
    late_remedies_detail: Text | None = None
    training_courses: Count | None = None
    comments: list[Text] = []
    draft: bool = False


# Optional council fields that only some years' formats have a place for; a year's
# templates/<year>/format.yaml lists which of these it uses.
FORMAT_FIELDS: tuple[str, ...] = (
    "late_remedies",
    "late_remedies_detail",
    "training_courses",
    "comments",
)
