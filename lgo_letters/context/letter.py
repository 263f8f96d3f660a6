"""Validated records → the letter context: every number a template prints, computed here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lgo_letters.context.averages import TypeAverages
from lgo_letters.context.numbers import join_names, percent
from lgo_letters.schema.models import CouncilRecord, Signatory, Statistics, YearRecord


@dataclass(frozen=True)
class Rate:
    """One statistic: `part` of `whole` cases, as a whole percentage, and its comparison."""

    part: int
    whole: int
    average: int | None

    @property
    def percent(self) -> int | None:
        """None when there were no cases: a rate over zero cases is never printed as 0%."""
        return percent(self.part, self.whole)


@dataclass(frozen=True)
class LetterContext:
    slug: str
    year: int
    council: CouncilRecord
    letter_date: dt.date
    publication_date: dt.date
    period_start: dt.date
    period_end: dt.date
    recipients: str  # "A, B & C", as the salutation has them
    salutation: str
    upheld: Rate
    compliance: Rate
    satisfactory_remedy: Rate
    late_remedies: int
    signatory: Signatory
    signature_image: str | None  # a data: URI, ready for <img src>

    @property
    def statistics(self) -> Statistics:
        """The record's counts, for the templates."""
        return self.council.statistics

    @property
    def title(self) -> str:
        """The page's and the PDF's title; a draft says so first (screen readers and
        window titles show it before anything else)."""
        title = f"Annual Review letter {self.year} – {self.council.name}"
        return f"DRAFT – {title}" if self.council.draft else title


def letter_context(
    slug: str,
    year: int,
    council: CouncilRecord,
    year_record: YearRecord,
    averages: TypeAverages | None,
    signature_image: str | None = None,
) -> LetterContext:
    s = council.statistics
    recipients = join_names(council.recipients)
    given = averages or TypeAverages(None, None, None, source="none")
    return LetterContext(
        slug=slug,
        year=year,
        council=council,
        letter_date=year_record.letter_date,
        publication_date=year_record.publication_date,
        # The letter year is the one whose 31 March ends the period.
        period_start=dt.date(year - 1, 4, 1),
        period_end=dt.date(year, 3, 31),
        recipients=recipients,
        salutation=council.salutation or f"Dear {recipients}",
        upheld=Rate(s.upheld, s.investigations, given.upheld),
        compliance=Rate(s.complied, s.compliance_outcomes, given.compliance),
        satisfactory_remedy=Rate(s.satisfactory_remedies, s.upheld, given.satisfactory_remedy),
        late_remedies=council.late_remedies or 0,
        signatory=year_record.signatory,
        signature_image=signature_image,
    )
