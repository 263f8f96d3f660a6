"""Validated records → the letter context: every number a template prints, computed here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel

from lgo_letters.context.averages import record_count
from lgo_letters.context.delay import ComplianceDelay, compliance_delay
from lgo_letters.context.numbers import in_words, join_names, percent
from lgo_letters.schema.models import CouncilRecord, FormatRecord, Signatory, YearRecord


@dataclass(frozen=True)
class Rate:
    """One statistic: `part` of `whole` cases, as a whole percentage, and its comparison."""

    part: int
    whole: int
    average: int | None
    # The counts it is made of, by name (format.yaml `averages`: `part` and `whole`).
    part_name: str = ""
    whole_name: str = ""

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
    # The year's format (templates/<year>/format.yaml): its counts, their nouns, its rates.
    format: FormatRecord
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
        if name not in self.format.counts:
            known = ", ".join(self.format.counts) or "none"
            raise KeyError(f"'{name}' is not a count of the year's format ({known})")
        return record_count(self.council, name)

    def noun(self, name: str, n: int) -> str:
        """The noun the format declares for the count `name`, in the number that agrees
        with `n`: "upheld decision", "remedies recommended"."""
        forms = self.format.nouns(name)
        if forms is None:
            self.count(name)  # an unknown count says so
            raise KeyError(f"the count '{name}' has no noun in the year's format: give it one")
        return forms[0] if n == 1 else forms[1]

    def counted(self, name: str, words: bool = False) -> str:
        """The count `name` with its declared noun: "8 remedies recommended", "1 remedy
        recommended"; with `words`, one to nine in words ("one remedy recommended", "eight
        remedies recommended"), 10 and over in figures, as the paragraphs write them."""
        n = self.count(name)
        return f"{in_words(n) if words else n} {self.noun(name, n)}"

    def rate(self, name: str) -> Rate:
        """The rate the format declares under `averages` as `name`: its `part` of its
        `whole` (counts of the record) and the similar-authority average of the same name,
        given in year.yaml for the type or pooled from the year's records of the type (sum
        of parts / sum of wholes, computed once for the year)."""
        spec = self.format.averages.get(name)
        if spec is None or name not in self.averages:
            known = ", ".join(self.format.averages) or "none"
            raise KeyError(f"'{name}' is not one of the format's averages ({known})")
        return Rate(
            self.count(spec.part),
            self.count(spec.whole),
            self.averages[name],
            spec.part,
            spec.whole,
        )

    def compliance_delay(self, rate: str, late: str) -> ComplianceDelay | None:
        """The compliance-delay paragraph's case for the rate `rate` (its part: the outcomes
        complied with; its whole: the outcomes) and the count `late` of remedies completed
        late, or None when no remedy was late."""
        complied = self.rate(rate)
        return compliance_delay(complied.whole, complied.part, self.count(late))


def year_facts(year_record: YearRecord) -> Mapping[str, Any]:
    """The year's facts (year.yaml `facts:`) as the letters read them: one read-only
    mapping, which every letter of the year may share."""
    facts: Any = year_record.facts
    return MappingProxyType(facts.model_dump() if isinstance(facts, BaseModel) else dict(facts))


def letter_context(
    slug: str,
    year: int,
    council: CouncilRecord,
    year_record: YearRecord,
    averages: Mapping[str, int | None],
    signature_image: str | None = None,
    *,
    declared: FormatRecord,
    facts: Mapping[str, Any] | None = None,
) -> LetterContext:
    """The context of one council's letter; `averages` are its type's similar-authority
    averages (lgo_letters.context.averages.year_averages), shared by the type's letters;
    `declared` the year's format; `facts` year_facts(year_record), when already made."""
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
        format=declared,
        averages=averages,
        signatory=year_record.signatory,
        signature_image=signature_image,
        facts=year_facts(year_record) if facts is None else facts,
    )
