"""Validated records → the letter context: every number a template prints, computed here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from lgo_letters.context.averages import record_count
from lgo_letters.context.delay import ComplianceDelay, compliance_delay
from lgo_letters.context.numbers import join_names, percent
from lgo_letters.schema.models import STANDARD_RATES, CouncilRecord, RateSpec, Signatory, YearRecord


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
class SentenceChange:
    """One sentence of a letter sent again as a correction: as it was and as it is now."""

    before: str  # "" when the sentence is new
    after: str  # "" when it was taken out


@dataclass(frozen=True)
class Correction:
    """What a corrected letter corrects, for the covering email (`letter.correction`): the
    date of the sending it replaces and the sentences that changed since."""

    date: dt.date
    changes: tuple[SentenceChange, ...] = ()
    # False when the earlier letter's text was not kept (sent before lgo-letters kept it):
    # then what changed is not known, and `changes` is empty.
    known: bool = True


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
    # The similar-authority averages of this council's type, by the format's averages key:
    # given in year.yaml, or pooled from the year's records of the type (None where no
    # case could make one). One mapping, shared by every letter of the type.
    averages: Mapping[str, int | None]
    signatory: Signatory
    signature_image: str | None  # a data: URI, ready for <img src>
    # Year-specific facts the wording prints (year.yaml `facts`).
    facts: Mapping[str, Any] = field(default_factory=dict)
    # Set only for the email of a letter sent again as a correction (`send --resend`).
    correction: Correction | None = None

    @property
    def statistics(self) -> Any:
        """The record's counts, for the templates."""
        return self.council.statistics

    @property
    def title(self) -> str:
        """The page's and the PDF's title; a draft says so first (screen readers and
        window titles show it before anything else)."""
        title = f"Annual Review letter {self.year} – {self.council.name}"
        return f"DRAFT – {title}" if self.council.draft else title

    def count(self, name: str) -> int:
        """A count of the record: one of its statistics, or a top-level count field (0 when
        the record does not give it)."""
        return record_count(self.council, name)

    def rate(self, part: str, whole: str, average: str) -> Rate:
        """`part` of `whole` (count names) and the similar-authority `average` (a key of the
        format's averages): given in year.yaml for the type, or pooled from the year's
        records of the type (sum of parts / sum of wholes, computed once for the year)."""
        if average not in self.averages:
            known = ", ".join(self.averages) or "none"
            raise KeyError(f"'{average}' is not one of the format's averages ({known})")
        return Rate(self.count(part), self.count(whole), self.averages[average])

    def declared_rate(self, average: str, rate: RateSpec) -> Rate:
        """The rate a format declares under `averages` (format.yaml), by its key."""
        return self.rate(rate.part, rate.whole, average)

    # The three rates every format so far has, by name for the templates' panels.
    @property
    def upheld(self) -> Rate:
        return self.declared_rate("upheld", STANDARD_RATES["upheld"])

    @property
    def compliance(self) -> Rate:
        return self.declared_rate("compliance", STANDARD_RATES["compliance"])

    @property
    def satisfactory_remedy(self) -> Rate:
        return self.declared_rate("satisfactory_remedy", STANDARD_RATES["satisfactory_remedy"])

    @property
    def late_remedies(self) -> int:
        return self.count("late_remedies")

    @property
    def compliance_delay(self) -> ComplianceDelay | None:
        """The compliance-delay paragraph's case, or None when no remedy was late."""
        return compliance_delay(
            self.count("compliance_outcomes"), self.count("complied"), self.late_remedies
        )


def _facts(year_record: YearRecord) -> Mapping[str, Any]:
    facts: Any = year_record.facts
    return facts.model_dump() if isinstance(facts, BaseModel) else dict(facts)


def letter_context(
    slug: str,
    year: int,
    council: CouncilRecord,
    year_record: YearRecord,
    averages: Mapping[str, int | None],
    signature_image: str | None = None,
) -> LetterContext:
    """The context of one council's letter; `averages` are its type's similar-authority
    averages (lgo_letters.context.averages.year_averages), shared by the type's letters."""
    recipients = join_names(council.recipients)
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
        averages=averages,
        signatory=year_record.signatory,
        signature_image=signature_image,
        facts=_facts(year_record),
    )
