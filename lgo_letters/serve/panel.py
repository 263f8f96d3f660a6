"""What the review panel says about one letter besides its state: the figures as printed
(with last year's beside them and where each came from) and the flags to look at.

Two extension points, each a list of plain functions the desk calls in order:
- FLAG_FINDERS: `(year, slug) -> list[Flag]`. Today the validate warnings that concern
  the council (its record, its type's pooled averages); year-on-year flags (`compare`)
  plug in here as one more function.
- SOURCE_FINDERS: `(year, slug) -> {figure name: where it came from}`. Today the record's
  file and line of each count, and how each rate and average is made; the spreadsheet
  cell a figure was imported from (`trace`) plugs in here, ahead of them (the first finder
  that names a figure's source wins).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lgo_letters.errors import InputError
from lgo_letters.exchange.table import council_row
from lgo_letters.project import PreparedYear
from lgo_letters.schema.yaml_reader import read_yaml


@dataclass(frozen=True)
class Flag:
    """Something the reviewer should look at: what, and where (file:line), if known."""

    message: str
    where: str = ""
    kind: str = "warning"  # where it comes from: "warning" (validate), "compare", …


@dataclass(frozen=True)
class Figure:
    name: str  # the column name, as `export` has it
    label: str
    printed: str  # as the letter prints it
    last_year: str | None  # the same figure in last year's letter, when there is one
    source: str | None = None


FlagFinder = Callable[[PreparedYear, str], list[Flag]]
SourceFinder = Callable[[PreparedYear, str], Mapping[str, str]]


def validate_flags(prepared: PreparedYear, slug: str) -> list[Flag]:
    """The year's warnings (as `validate` prints them) about this council's record, or about
    the averages its letter compares with."""
    entry = prepared.records.councils.get(slug)
    if entry is None:
        return []
    averages_field = f"averages.{entry.record.type}"
    return [
        Flag(warning.message, f"{warning.file}:{warning.line or ''}".rstrip(":"))
        for warning in sorted(prepared.warnings)
        if warning.file == entry.file or warning.field == averages_field
    ]


def record_sources(prepared: PreparedYear, slug: str) -> dict[str, str]:
    """Each count's line in the council's record (read again: records keep no positions)."""
    entry = prepared.records.councils.get(slug)
    if entry is None:
        return {}
    try:
        document = read_yaml(entry.file)
    except InputError:
        return {}
    shown = entry.file.relative_to(prepared.records.year_file.parent)
    sources = {}
    for name, dotted in prepared.letter_format.format.declared.counts.items():
        position = document.positions.get(tuple(dotted.split(".")))
        if position is not None:
            sources[name] = f"{shown}, line {position[0]}"
    return sources


def rate_sources(prepared: PreparedYear, slug: str) -> dict[str, str]:
    """Each rate is computed from two counts; each average is given in year.yaml or pooled."""
    sources = {}
    averages = prepared.averages
    letter = prepared.letters.get(slug)
    pooled = letter is not None and getattr(averages.get(letter.council.type), "source", "")
    for name, rate in prepared.letter_format.format.declared.averages.items():
        part, whole = (n.replace("_", " ") for n in (rate.part, rate.whole))
        sources[f"{name}_percent"] = f"computed: {part} of {whole}"
        sources[f"{name}_average"] = (
            "pooled from this year's records of the type"
            if pooled == "computed"
            else "year.yaml"
            if pooled == "given"
            else ""
        )
    return sources


FLAG_FINDERS: list[FlagFinder] = [validate_flags]
SOURCE_FINDERS: list[SourceFinder] = [record_sources, rate_sources]


def flags(prepared: PreparedYear, slug: str) -> list[Flag]:
    return [flag for finder in FLAG_FINDERS for flag in finder(prepared, slug)]


def _sources(prepared: PreparedYear, slug: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for finder in SOURCE_FINDERS:
        for name, source in finder(prepared, slug).items():
            found.setdefault(name, source)
    return found


def _shown(value: Any, kind: str) -> str:
    """A count, a rate ("no cases" where there were none) or an average ("none" given)."""
    if value is None:
        return {"count": "", "rate": "no cases", "average": "none"}[kind]
    return str(value) if kind == "count" else f"{value}%"


def _row(prepared: PreparedYear, slug: str) -> dict[str, Any] | None:
    letter = prepared.letters.get(slug)
    if letter is None:
        return None
    averages = prepared.averages.get(letter.council.type)
    declared = prepared.letter_format.format.declared
    return council_row(letter, averages.source if averages else "none", None, declared)


def figures(
    prepared: PreparedYear, slug: str, previous: PreparedYear | None = None
) -> list[Figure]:
    """Every count and rate the letter prints (the year's format decides which), with the
    same figure from `previous` (last year) where that year has it for this council."""
    row = _row(prepared, slug)
    if row is None:
        return []
    last = _row(previous, slug) if previous is not None else None
    declared = prepared.letter_format.format.declared
    sources = _sources(prepared, slug)
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
