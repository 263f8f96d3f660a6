"""What the review panel says about one letter besides its state: the figures as printed
(with last year's beside them and where each came from) and the flags to look at.

Two extension points, each a list of plain functions the desk calls in order, given the
year as the desk read it (ReviewYear) and a council's slug:
- FLAG_FINDERS → list[Flag]: the year-on-year changes `compare` flags (open ones first,
  then those marked `checked:`), and the warnings `validate` gives about the council's
  record or the averages it is compared with. Another check plugs in as one more function.
- SOURCE_FINDERS → {figure name: where it came from}: `trace` (the spreadsheet cell a
  figure was imported from, the record's line it was typed at, how a rate or an average is
  made). The first finder that names a figure's source wins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lgo_letters.checking.compare import CouncilComparison, YearComparison
from lgo_letters.checking.trace import trace_prepared
from lgo_letters.errors import UsageError
from lgo_letters.exchange.provenance import Provenance
from lgo_letters.exchange.table import council_row
from lgo_letters.project import PreparedYear


@dataclass(frozen=True)
class ReviewYear:
    """The year as the desk read it, with what the panel's finders need beside it."""

    prepared: PreparedYear
    previous: PreparedYear | None = None  # the year `compare` compares with, if any
    comparison: YearComparison | None = None
    provenance: Provenance | None = None

    def compared(self, slug: str) -> CouncilComparison | None:
        if self.comparison is None:
            return None
        return self.comparison.by_slug().get(slug)


@dataclass(frozen=True)
class Flag:
    """Something the reviewer should look at: what, and where (file:line), if known."""

    message: str
    where: str = ""
    kind: str = "warning"  # "year on year" (compare), "warning" (validate)
    open: bool = True  # False: someone has checked it (`checked:` in the record)


@dataclass(frozen=True)
class Figure:
    name: str  # the column name, as `export` has it
    label: str
    printed: str  # as the letter prints it
    last_year: str | None  # the same figure in last year's letter, when there is one
    source: str | None = None


FlagFinder = Callable[[ReviewYear, str], list[Flag]]
SourceFinder = Callable[[ReviewYear, str], Mapping[str, str]]


def compare_flags(year: ReviewYear, slug: str) -> list[Flag]:
    """`compare`'s flags for the council: open ones first."""
    compared = year.compared(slug)
    if compared is None:
        return []
    flags = [
        Flag(flag.describe(), kind="year on year", open=flag.is_open) for flag in compared.flags
    ]
    return sorted(flags, key=lambda flag: not flag.open)


def validate_flags(year: ReviewYear, slug: str) -> list[Flag]:
    """The year's warnings (as `validate` prints them) about this council's record, or about
    the averages its letter compares with."""
    prepared = year.prepared
    entry = prepared.records.councils.get(slug)
    if entry is None:
        return []
    averages_field = f"averages.{entry.record.type}"
    return [
        Flag(warning.message, f"{warning.file}:{warning.line or ''}".rstrip(":"))
        for warning in sorted(prepared.warnings)
        if warning.file == entry.file or warning.field == averages_field
    ]


def trace_sources(year: ReviewYear, slug: str) -> dict[str, str]:
    """`trace`'s words for each figure, by the panel's figure names."""
    prepared = year.prepared
    letter = prepared.letters.get(slug)
    if letter is None or year.provenance is None:
        return {}
    try:
        traced = trace_prepared(prepared, slug, year.provenance)
    except UsageError:
        return {}
    declared = prepared.letter_format.format.declared
    names = {path: name for name, path in declared.counts.items()}
    for name in declared.averages:
        names[f"rates.{name}"] = f"{name}_percent"
        names[f"averages.{letter.council.type}.{name}"] = f"{name}_average"
    return {names[t.field]: t.said for t in traced if t.field in names}


FLAG_FINDERS: list[FlagFinder] = [compare_flags, validate_flags]
SOURCE_FINDERS: list[SourceFinder] = [trace_sources]


def flags(year: ReviewYear, slug: str) -> list[Flag]:
    return [flag for finder in FLAG_FINDERS for flag in finder(year, slug)]


def _sources(year: ReviewYear, slug: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for finder in SOURCE_FINDERS:
        for name, source in finder(year, slug).items():
            found.setdefault(name, source)
    return found


def _shown(value: Any, kind: str) -> str:
    """A count, a rate ("no cases" where there were none) or an average ("none" given)."""
    if value is None:
        return {"count": "", "rate": "no cases", "average": "none"}[kind]
    return str(value) if kind == "count" else f"{value}%"


def _row(prepared: PreparedYear, slug: str | None) -> dict[str, Any] | None:
    letter = prepared.letters.get(slug) if slug else None
    if letter is None:
        return None
    averages = prepared.averages.get(letter.council.type)
    declared = prepared.letter_format.format.declared
    return council_row(letter, averages.source if averages else "none", None, declared)


def figures(year: ReviewYear, slug: str) -> list[Figure]:
    """Every count and rate the letter prints (the year's format decides which), with the
    same figure in last year's letter to the same council (matched as `compare` matches:
    by code, name or slug) where that year has it."""
    prepared = year.prepared
    row = _row(prepared, slug)
    if row is None:
        return []
    compared = year.compared(slug)
    last = None
    if year.previous is not None and compared is not None:
        last = _row(year.previous, compared.previous_slug)
    declared = prepared.letter_format.format.declared
    sources = _sources(year, slug)
    names: list[tuple[str, str, str]] = []
    for name in declared.counts:
        spec = declared.spec(name)
        label = spec.title if spec is not None and spec.title else name.replace("_", " ")
        names.append((name, label[:1].upper() + label[1:], "count"))
    for name in declared.averages:
        words = name.replace("_", " ")
        names.append((f"{name}_percent", f"{words.capitalize()} rate", "rate"))
        names.append((f"{name}_average", f"Similar authorities' {words} average", "average"))
    return [
        Figure(
            name,
            label,
            _shown(row.get(name), kind),
            _shown(last.get(name), kind) if last is not None and name in last else None,
            sources.get(name),
        )
        for name, label, kind in names
    ]
