"""A year's letter format as data: templates/<year>/format.yaml → the models its records use.

format.yaml declares what the year's records hold beyond the core fields (see
FormatRecord); from it come the record model (its `statistics` and top-level `fields`
with their types), the year.yaml model (its `averages` keys per authority type) and the
checks between counts (`at_most`) and fields (`requires`). No Python changes for a year
that adds a panel, a paragraph or a field.
"""

from __future__ import annotations

import datetime as dt
import keyword
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, create_model

from lgo_letters.context.numbers import plural
from lgo_letters.schema.models import (
    CORE_FIELDS,
    AuthorityType,
    CouncilRecord,
    Count,
    FieldSpec,
    FormatRecord,
    Paragraph,
    Percent,
    Record,
    YearRecord,
)

Finding = tuple[str, str]


def _optional(spec: FieldSpec) -> tuple[Any, Any]:
    """A top-level field's annotation and default: absent means not printed."""
    if spec.type == "count":
        return Count | None, None
    # A format's text may be a paragraph (late_remedies_detail): the paragraph length limit.
    if spec.type == "text":
        return Paragraph | None, None
    if spec.type == "paragraphs":
        return list[Paragraph], []
    if spec.type == "date":
        return dt.date | None, None
    return bool, False


def _required(spec: FieldSpec) -> tuple[Any, Any]:
    """A statistic's or a fact's annotation: each must be given."""
    required = {"count": Count, "text": Paragraph, "date": dt.date, "flag": bool}
    return required.get(spec.type, list[Paragraph]), ...


@dataclass(frozen=True)
class YearFormat:
    """One year's format: its declaration and the models made from it."""

    year: int
    file: Path
    declared: FormatRecord
    record_model: type[CouncilRecord]
    year_model: type[YearRecord]

    @property
    def fields(self) -> frozenset[str]:
        """The optional top-level record fields the year's letter prints."""
        return frozenset(self.declared.fields)


def make_format(year: int, file: Path, declared: FormatRecord) -> YearFormat:
    """The models of a format already checked with `check_format`."""
    statistics = create_model(  # type: ignore[call-overload]
        f"Statistics{year}",
        __base__=Record,
        **{name: _required(spec) for name, spec in declared.statistics.items()},
    )
    record = create_model(  # type: ignore[call-overload]
        f"CouncilRecord{year}",
        __base__=CouncilRecord,
        statistics=(statistics, ...),
        **{name: _optional(spec) for name, spec in declared.fields.items()},
    )
    record.format_source = f"{year}'s format ({file})"
    averages = create_model(  # type: ignore[call-overload]
        f"Averages{year}", __base__=Record, **{name: (Percent, ...) for name in declared.averages}
    )
    facts = create_model(  # type: ignore[call-overload]
        f"Facts{year}",
        __base__=Record,
        **{name: _required(spec) for name, spec in declared.facts.items()},
    )
    year_model = create_model(
        f"YearRecord{year}",
        __base__=YearRecord,
        averages=(dict[AuthorityType, averages], {}),  # type: ignore[valid-type]
        facts=(facts, ...) if declared.facts else (facts, facts()),
    )
    return YearFormat(year, file, declared, record, year_model)


# Attributes of the models a year's records become (pydantic's `model_config`, `copy`,
# `json` ..., and `format_source`): a field of that name would break the model or shadow them.
_MODEL_ATTRIBUTES = frozenset(
    name for model in (CouncilRecord, YearRecord) for name in dir(model) if not name.startswith("_")
)


def reserved_name(name: str) -> str | None:
    """Why `name` cannot name a field, statistic, fact or rate of a format, or None."""
    if keyword.iskeyword(name):
        return f"'{name}' is a Python keyword"
    if name.startswith("model_") or name in _MODEL_ATTRIBUTES:
        return f"'{name}' is taken by the models that check the records (pydantic)"
    return None


def _reserved_names(declared: FormatRecord) -> list[Finding]:
    sections = {
        "statistics": tuple(declared.statistics),
        "fields": tuple(declared.fields),
        "facts": tuple(declared.facts),
        "averages": tuple(declared.averages),
    }
    return [
        (f"{section}.{name}", f"{why}: choose another name")
        for section, names in sections.items()
        for name in names
        if (why := reserved_name(name)) is not None
    ]


def _at_most_cycles(declared: FormatRecord) -> list[Finding]:
    """Counts that are, through `at_most`, at most themselves: each circle once, located at
    its first count in the file."""
    specs = {**declared.statistics, **declared.fields}
    # Only references check_format accepts: a count at most another count.
    limits = {
        name: spec.at_most
        for name, spec in specs.items()
        if spec.type == "count"
        and spec.at_most not in (None, name)
        and getattr(specs.get(spec.at_most or ""), "type", None) == "count"
    }
    findings: list[Finding] = []
    seen: set[str] = set()
    for start in limits:
        path: list[str] = []
        name: str | None = start
        while name is not None and name not in seen and name not in path:
            path.append(name)
            name = limits.get(name)
        seen.update(path)
        if name is None or name not in path:
            continue  # the chain ends, or joins a chain already looked at
        circle = path[path.index(name) :]
        first = min(circle, key=list(limits).index)
        turn = circle.index(first)
        circle = circle[turn:] + circle[:turn]
        section = "statistics" if first in declared.statistics else "fields"
        chain = " → ".join([*circle, first])
        findings.append(
            (
                f"{section}.{first}.at_most",
                f"at_most goes round in a circle ({chain}): no count can be at most itself",
            )
        )
    return findings


def check_format(declared: FormatRecord) -> list[Finding]:
    """What the types alone cannot say: names that clash and references that go nowhere."""
    findings: list[Finding] = _reserved_names(declared)
    counts = {
        name
        for section in (declared.statistics, declared.fields)
        for name, spec in section.items()
        if spec.type == "count"
    }
    for name, spec in declared.facts.items():
        if spec.at_most is not None or spec.requires is not None:
            findings.append((f"facts.{name}", "a fact has a type only (no at_most, requires)"))
    for name, spec in declared.statistics.items():
        if spec.type != "count":
            findings.append((f"statistics.{name}.type", "statistics are counts: type: count"))
    for name in declared.fields:
        if name in CORE_FIELDS:
            findings.append(
                (f"fields.{name}", f"{name} is a core field every record has: do not declare it")
            )
        elif name in declared.statistics:
            findings.append((f"fields.{name}", f"{name} is already one of the statistics"))
    for section_name, section in (("statistics", declared.statistics), ("fields", declared.fields)):
        for name, spec in section.items():
            where = f"{section_name}.{name}"
            if spec.at_most is not None:
                if spec.type != "count":
                    findings.append((f"{where}.at_most", "only a count can be at most another"))
                elif spec.at_most not in counts or spec.at_most == name:
                    findings.append(
                        (
                            f"{where}.at_most",
                            f"'{spec.at_most}' is not another count of this format "
                            f"(counts: {', '.join(sorted(counts))})",
                        )
                    )
            if spec.plural is not None and spec.noun is None:
                findings.append((f"{where}.plural", "a plural goes with a noun: give its noun"))
            if spec.requires is not None and (
                declared.spec(spec.requires) is None or spec.requires == name
            ):
                findings.append(
                    (f"{where}.requires", f"'{spec.requires}' is not another field of this format")
                )
    for name, rate in declared.averages.items():
        for role, count in (("part", rate.part), ("whole", rate.whole)):
            if count not in counts:
                findings.append(
                    (
                        f"averages.{name}.{role}",
                        f"'{count}' is not a count of this format "
                        f"(counts: {', '.join(sorted(counts))})",
                    )
                )
    return findings + _at_most_cycles(declared)


def _value(record: BaseModel, name: str) -> Any:
    statistics = record.statistics  # type: ignore[attr-defined]
    return (
        getattr(statistics, name)
        if name in type(statistics).model_fields
        else getattr(record, name, None)
    )


def _path(declared: FormatRecord, name: str) -> str:
    return f"statistics.{name}" if name in declared.statistics else name


def noun_forms(spec: FieldSpec) -> tuple[str, str] | None:
    """A count's noun, singular and plural (the format's `plural`, else an "s" added)."""
    if not spec.noun:
        return None
    return spec.noun, spec.plural or plural(spec.noun, 2)


def _counted(declared: FormatRecord, name: str, n: int) -> str:
    spec = declared.spec(name)
    forms = noun_forms(spec) if spec is not None else None
    if forms is None:
        return f"{name.replace('_', ' ')}: {n}"
    return f"{n} {forms[0] if n == 1 else forms[1]}"


def flag_names(declared: FormatRecord) -> list[str]:
    """What a year-on-year flag can be about (`checked:` in a record): each count, each
    rate as `<name>_percent`, the type and the name."""
    return [*declared.counts, *(f"{name}_percent" for name in declared.averages), "type", "name"]


def check_record(record: CouncilRecord, declared: FormatRecord) -> list[Finding]:
    """Counts that contradict each other (`at_most`), fields given without the field they
    depend on (`requires`), `checked:` flags the format has no figure for."""
    findings: list[Finding] = []
    known = flag_names(declared)
    for name in record.checked:
        if name not in known:
            findings.append(
                (f"checked.{name}", f"not a year-on-year flag of this format ({', '.join(known)})")
            )
    for section in (declared.statistics, declared.fields):
        for name, spec in section.items():
            value = _value(record, name)
            if spec.at_most is not None and value is not None:
                limit = _value(record, spec.at_most)
                if limit is not None and value > limit:
                    where = (
                        ""
                        if (name in declared.statistics) == (spec.at_most in declared.statistics)
                        else f" ({_path(declared, spec.at_most)})"
                    )
                    findings.append(
                        (
                            _path(declared, name),
                            f"{_counted(declared, name, value)} but only "
                            f"{_counted(declared, spec.at_most, limit)}{where}",
                        )
                    )
            if spec.requires is not None and value not in (None, [], False):
                needed = _value(record, spec.requires)
                required = declared.spec(spec.requires)
                is_count = required is not None and required.type == "count"
                if not needed:
                    state = "is not at least 1" if is_count else "is not given"
                    findings.append(
                        (
                            _path(declared, name),
                            f"given, but {spec.requires} {state}, so the letter would not print it",
                        )
                    )
    return findings
