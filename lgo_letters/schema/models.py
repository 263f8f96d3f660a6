"""The records, as validated models: a year's file and one council's file.

Types are strict: "two", 2.5 or true is never quietly taken for a count, and keys that a
record does not define are errors (a typo must not vanish silently).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Annotated, ClassVar, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from lgo_letters.schema.mail import plain_parts
from lgo_letters.schema.nouns import regular_plural
from lgo_letters.schema.slugs import SLUG_RULE, is_slug
from lgo_letters.schema.text import MAX_COUNT, check_line, check_paragraph

AuthorityType = Literal["county", "district", "metropolitan", "unitary", "london"]
AUTHORITY_TYPES: tuple[AuthorityType, ...] = get_args(AuthorityType)

Count = Annotated[int, Field(strict=True, ge=0, le=MAX_COUNT)]
Percent = Annotated[int, Field(strict=True, ge=0, le=100)]
# A line of text (a name, a role) and a paragraph (a comment): characters the letter's font
# has, of a length that fits (see schema/text.py).
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(check_line)
]
Paragraph = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(check_paragraph)
]


def check_one_line(value: str) -> str:
    """No line break: the value goes into an email header (a subject, From or To), where a
    line break would end the header, or let text pose as another one."""
    for char in value:
        if char in "\n\r\v\f\x85\u2028\u2029":
            raise ValueError(
                "holds a line break: write it on one line (it goes into the email's "
                "headers: its subject, From or To)"
            )
    return value


# A line that reaches an email header: a council's name (the subject), its recipients (To),
# the sender's name (From).
HeaderText = Annotated[Text, AfterValidator(check_one_line)]

# An ONS GSS code: a letter for the nation and eight digits, e.g. E07000107.
_GSS_CODE = re.compile(r"^[EWSN]\d{8}$")


def check_gss_code(value: str) -> str:
    if not _GSS_CODE.match(value):
        raise ValueError(
            f"'{value}' is not an ONS GSS code: a letter (E, W, S or N) and eight digits, "
            "e.g. E07000107"
        )
    return value


def check_email_address(value: str) -> str:
    """The address as written, once it is known to be a well-formed address (offline: no DNS)."""
    if plain_parts(value) is not None:
        return value
    from email_validator import EmailNotValidError, validate_email  # (see schema/mail.py)

    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        reason = str(error).rstrip(".")
        raise ValueError(
            f"'{value}' is not an email address: {reason[:1].lower()}{reason[1:]}"
        ) from None
    return value


def check_address_or_domain(value: str) -> str:
    """An email address (a@b.org) or a mail domain (b.org), checked for form."""
    if "@" in value:
        return check_email_address(value)
    if plain_parts(f"postmaster@{value}") is not None:
        return value
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(f"postmaster@{value}", check_deliverability=False)
    except EmailNotValidError as error:
        reason = str(error).rstrip(".")
        raise ValueError(
            f"'{value}' is neither an email address nor a mail domain: "
            f"{reason[:1].lower()}{reason[1:]}"
        ) from None
    return value


def _one_or_more(value: object) -> object:
    """`email: a@b.org` and `email: [a@b.org, c@d.org]` are both a list of addresses."""
    return [value] if isinstance(value, str) else value


# The json_schema_extra and input types say in the editors' JSON schemas (schema/editor.py)
# what the validators check.
GssCode = Annotated[
    Text, AfterValidator(check_gss_code), Field(json_schema_extra={"pattern": _GSS_CODE.pattern})
]
EmailAddress = Annotated[
    Text, AfterValidator(check_email_address), Field(json_schema_extra={"format": "email"})
]
EmailAddresses = Annotated[
    list[EmailAddress],
    BeforeValidator(_one_or_more, json_schema_input_type=EmailAddress | list[EmailAddress]),
    Field(min_length=1),
]


class Record(BaseModel):
    """The base of every model read from a file: strict types, no unknown keys, frozen."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Signatory(Record):
    name: Text = "Michael King"
    titles: list[Text] = [
        "Local Government and Social Care Ombudsman",
        "Chair, Commission for Local Administration in England",
    ]


FieldName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
FactValue = Count | Text | dt.date | list[Text]


class Sender(Record):
    """Who the letters are emailed from (`lgo-letters send`)."""

    name: HeaderText
    address: EmailAddress
    reply_to: EmailAddress | None = None


class Checks(Record):
    """year.yaml `checks:`: which changes since last year `compare` flags for a second look
    (a typo can pass every rule: an upheld rate of 20% last year and 92% now)."""

    # A rate that moved this many percentage points or more.
    rate_points: Annotated[int, Field(strict=True, ge=1, le=100)] = 25
    # A count that grew to this many times last year's, or fell to this fraction of it …
    count_factor: Annotated[int, Field(strict=True, ge=2, le=1000)] = 3
    # … when it is at least this in one of the two years (2 → 7 is no news).
    count_at_least: Count = 10
    # Councils present last year and gone now that someone has looked at: slug → why.
    checked: dict[FieldName, Text] = {}


class YearRecord(Record):
    """data/<year>/year.yaml: facts shared by every letter of the year."""

    letter_date: dt.date
    publication_date: dt.date
    # Similar-authority averages by authority type, in whole per cent: one for each rate
    # the year's format declares (the model it makes, schema/formats.py, says which).
    averages: dict[AuthorityType, Record] = {}
    signatory: Signatory = Signatory()
    # An image of the signatory's signature, relative to year.yaml; where the year's
    # format shows one and this is not given, the bundled placeholder is used.
    signature_image: Text | None = None
    # Year-specific facts the letter's wording prints (courses run, people trained, where
    # the seminars were ...): `letter.facts.<name>` in the templates. The year's format
    # declares which (format.yaml `facts`), so a year that lacks one is refused, and
    # `new-year` lists them to check, so no year silently keeps last year's figures.
    facts: dict[FieldName, FactValue] = {}
    # The official list of the year's councils (CSV or XLSX with code and name columns),
    # relative to year.yaml; `validate` compares the records with it.
    councils_list: Text | None = None
    # From and Reply-To of the emailed letters; `send` needs it, nothing else does.
    sender: Sender | None = None
    # Addresses and domains more than one council's record may give (a shared service's
    # mailbox): any other address or domain two councils share is a warning, and `send`
    # holds both letters back (lgo_letters/release/addresses.py).
    shared_addresses: list[Annotated[Text, AfterValidator(check_address_or_domain)]] = []
    # When a change since last year is flagged (`lgo-letters compare`).
    checks: Checks = Checks()


class CouncilRecord(Record):
    """data/<year>/councils/<slug>.yaml: the core fields every year's letter has.

    A year's records are validated with the model its format makes (`record_model` in
    lgo_letters/schema/formats.py): this one plus the year's `statistics` and `fields`.
    """

    # Where the record's format comes from, for "2020's format (...) has no place for x".
    format_source: ClassVar[str] = "this year's letter format"

    name: HeaderText
    type: AuthorityType
    recipients: Annotated[list[HeaderText], Field(min_length=1)]
    role: Text
    salutation: Text | None = None
    # The council's ONS GSS code; spreadsheets are matched to records by it.
    code: GssCode | None = None
    # Where the letter is emailed: the chief executive (To) and those copied (Cc).
    email: EmailAddresses | None = None
    cc: EmailAddresses | None = None
    # The year's counts, as its format declares them (`statistics:` in format.yaml): the
    # model the format makes (schema/formats.py) says which.
    statistics: Record
    comments: list[Paragraph] = []
    draft: bool = False
    # Year-on-year flags (`lgo-letters compare`) someone has looked at: flag → why the
    # change is right ("upheld_percent: new complaints process, confirmed 3 July").
    checked: dict[FieldName, Text] = {}
    # Where lists of councils (the publication's index) put it, when the name itself does
    # not say: "Kingston upon Thames" for "Royal Borough of Kingston upon Thames" is found
    # without it (lgo_letters.schema.names.sort_key); never printed.
    sort_name: Text | None = None


# Record keys every year has; a format's `fields` cannot redeclare them.
CORE_FIELDS: frozenset[str] = frozenset(CouncilRecord.model_fields)

FieldType = Literal["count", "text", "paragraphs", "flag", "date"]


class FieldSpec(Record):
    """One field a year's format declares: its type and how it relates to the others."""

    type: FieldType
    # Another count of the record this count can never exceed (upheld ≤ investigations).
    at_most: FieldName | None = None
    # Another field that must be given (a count: at least 1) for this one to be printed.
    requires: FieldName | None = None
    # The thing counted, singular, for messages: "5 upheld decisions but only 4 ...".
    noun: Text | None = None
    # Its plural, where an "s" on its last word is wrong ("remedies on time").
    plural: Text | None = None
    # The heading a spreadsheet gives it: `import` finds its column by this title as well
    # as by its name and its noun ("Remedies completed late").
    title: Text | None = None
    # Other headings the team's spreadsheets give it ("upheld complaints"): `import` finds
    # its column by these too.
    headers: list[Text] = []

    @property
    def nouns(self) -> tuple[str, str] | None:
        """Its noun, singular and plural (`plural`, else an "s" on its last word), or None
        when it declares none."""
        if not self.noun:
            return None
        return self.noun, self.plural or regular_plural(self.noun)


class RateSpec(Record):
    """A rate the letter prints: `part` of `whole` (counts of the format) as a whole
    percentage, compared with the similar-authority average of the same name."""

    part: FieldName
    whole: FieldName


def _rates(value: object) -> object:
    """`averages` as a list → {name: RateSpec}: each item a one-key mapping,
    `- on_time: {part: remedies_on_time, whole: remedies_due}`."""
    if not isinstance(value, list):
        return value
    rates: dict[object, object] = {}
    for item in value:
        if isinstance(item, dict) and len(item) == 1:
            rates.update(item)
        elif isinstance(item, dict):
            raise ValueError(
                "each item of the list is one rate, `- on_time: {part: <count>, whole: "
                f"<count>}}`; one item has {len(item) or 'no'} names"
            )
        else:
            raise ValueError(
                f"{item!r} is a rate without its counts: name the counts it is made of, "
                f"as `- {item}: {{part: <count>, whole: <count>}}`"
            )
    return rates


class FormatRecord(Record):
    """templates/<year>/format.yaml: what that year's records hold beyond the core fields.

    `statistics` are the counts under `statistics:` in each record (the panels' inputs),
    `fields` the optional top-level fields the letter prints, `averages` the rates it
    prints (each a `part` of a `whole`), by the key each authority type's similar-authority
    average has in year.yaml (per cent),
    `facts` the year-specific figures its wording prints (year.yaml `facts:`, all required).
    """

    statistics: dict[FieldName, FieldSpec]
    fields: dict[FieldName, FieldSpec] = {}
    # The rates the letter prints, by the key of their similar-authority average.
    averages: Annotated[
        dict[FieldName, RateSpec],
        BeforeValidator(
            _rates,
            json_schema_input_type=dict[FieldName, RateSpec] | list[dict[FieldName, RateSpec]],
        ),
    ] = {}
    # Year-specific facts the wording prints, given under `facts:` in year.yaml.
    facts: dict[FieldName, FieldSpec] = {}

    def spec(self, name: str) -> FieldSpec | None:
        """The declaration of a statistic or a field, by name."""
        return self.statistics.get(name) or self.fields.get(name)

    @property
    def counts(self) -> dict[str, str]:
        """Every count of a record of this format, by name → its path in the record
        ("upheld" → "statistics.upheld", "late_remedies" → "late_remedies")."""
        counts = {name: f"statistics.{name}" for name in self.statistics}
        counts.update((name, name) for name, spec in self.fields.items() if spec.type == "count")
        return counts

    def nouns(self, name: str) -> tuple[str, str] | None:
        """The noun of the count `name`, singular and plural, or None when it declares none."""
        spec = self.spec(name)
        return spec.nouns if spec is not None else None

    @functools.cached_property
    def plurals(self) -> dict[str, str]:
        """Each declared noun → its declared plural ("remedy recommended" → "remedies
        recommended"), for the templates' `counted` and `plural` filters."""
        return {
            spec.noun: spec.plural
            for section in (self.statistics, self.fields)
            for spec in section.values()
            if spec.noun and spec.plural
        }


def check_slug(value: str) -> str:
    if not is_slug(value):
        raise ValueError(f"'{value}' is not a council's slug: {SLUG_RULE}, as its record's name")
    return value


Slug = Annotated[str, AfterValidator(check_slug)]


class GoldenSettings(Record):
    """data/<year>/golden/settings.yaml: how the year's golden files are kept."""

    # Councils whose golden files keep pictures of their pages, their HTML and their PDF's
    # text, as the edge cases' do; every other council keeps its text and its PDF's sha256.
    sample_councils: list[Slug] = []
