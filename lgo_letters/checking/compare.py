"""This year's figures against last year's, council by council, and the changes that deserve
a second look.

Councils are matched by their ONS `code`, then by name (lgo_letters.schema.names), then by
slug. Each council's counts and rates (those both years' formats declare) stand side by
side; a change is flagged by the first rule it meets, with the thresholds in `year.yaml`
`checks:` (lgo_letters.schema.models.Checks): a rate that moved `rate_points` or more, a
count at least `count_at_least` in one year that grew `count_factor` times or fell to
1/`count_factor`, a type or name that changed under the same code, a council present last
year and missing now. A flag someone has looked at is marked in the record (`checked:
{upheld_percent: why}`; a gone council in year.yaml's `checks.checked`) and is shown as
checked, never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lgo_letters.context.averages import record_count
from lgo_letters.context.numbers import percent
from lgo_letters.errors import InputError, UsageError
from lgo_letters.project import Paths, PreparedYear, prepare_year
from lgo_letters.schema.loader import council_files
from lgo_letters.schema.models import Checks, CouncilRecord
from lgo_letters.schema.names import name_key

CODE, NAME, SLUG = "code", "name", "slug"


@dataclass(frozen=True)
class Figure:
    """One count or rate in both years (None: not to be had, e.g. a rate over no cases)."""

    name: str  # a count's name, or a rate's as `<name>_percent`
    kind: str  # "count" or "rate"
    previous: int | None
    current: int | None


@dataclass(frozen=True)
class Flag:
    """A change that deserves a second look, and the rule that flagged it."""

    field: str  # what `checked:` names: a count, `<rate>_percent`, type, name, or gone
    rule: str  # "rate", "count", "type", "name", "gone"
    message: str
    checked: str | None = None  # why it is right, when someone has looked

    @property
    def is_open(self) -> bool:
        return self.checked is None

    def describe(self) -> str:
        state = f"checked: {self.checked}" if self.checked else "open"
        return f"{self.field}: {self.message} [{state}]"


@dataclass
class CouncilComparison:
    slug: str | None  # this year's record; None when gone
    previous_slug: str | None  # last year's; None when new
    name: str
    code: str | None
    matched_by: str | None  # CODE, NAME, SLUG; None for a new or gone council
    figures: list[Figure] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "new" if self.previous_slug is None else "gone" if self.slug is None else "both"

    @property
    def key(self) -> str:
        return self.slug or self.previous_slug or ""

    def figure(self, name: str) -> Figure | None:
        return next((f for f in self.figures if f.name == name), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "previous_slug": self.previous_slug,
            "name": self.name,
            "code": self.code,
            "status": self.status,
            "matched_by": self.matched_by,
            "figures": {
                f.name: {"kind": f.kind, "previous": f.previous, "current": f.current}
                for f in self.figures
            },
            "flags": [
                {"field": f.field, "rule": f.rule, "message": f.message, "checked": f.checked}
                for f in self.flags
            ],
        }


@dataclass
class YearComparison:
    year: int
    previous: int
    checks: Checks
    councils: list[CouncilComparison]
    counts: tuple[str, ...]  # the counts both formats declare
    rates: tuple[str, ...]  # the rates both declare (by averages key)
    left_out: list[str] = field(default_factory=list)  # invalid records, not compared

    @property
    def flags(self) -> list[Flag]:
        return [flag for council in self.councils for flag in council.flags]

    @property
    def open_flags(self) -> list[Flag]:
        return [flag for flag in self.flags if flag.is_open]

    def by_slug(self) -> dict[str, CouncilComparison]:
        """This year's councils by slug (gone ones by last year's)."""
        return {c.key: c for c in self.councils}

    def figure_names(self) -> list[str]:
        return [*self.counts, *(f"{r}_percent" for r in self.rates)]


def previous_year(paths: Paths, year: int) -> int | None:
    """The latest year before `year` whose data folder has council records."""
    earlier = [y for y in paths.data_years() if y < year]
    for candidate in sorted(earlier, reverse=True):
        if council_files(paths.data / str(candidate)):
            return candidate
    return None


def compare_years(
    paths: Paths, year: int, previous: int | None = None, current: PreparedYear | None = None
) -> YearComparison:
    """`year` against `previous` (default: the previous year with records); `current` may
    be the year already prepared. UsageError when there is no year to compare with."""
    if previous is None:
        previous = previous_year(paths, year)
        if previous is None:
            raise UsageError(f"no year before {year} with records in {paths.data} to compare with")
    if previous == year:
        raise UsageError(f"compare {year} with another year, not itself")
    now = current if current is not None else prepare_year(paths, year)
    before = prepare_year(paths, previous)
    return compare_prepared(now, before)


def _rates(prepared: PreparedYear) -> dict[str, tuple[str, str]]:
    declared = prepared.letter_format.format.declared
    return {name: (rate.part, rate.whole) for name, rate in declared.averages.items()}


def compare_prepared(now: PreparedYear, before: PreparedYear) -> YearComparison:
    now_format = now.letter_format.format.declared
    before_format = before.letter_format.format.declared
    counts = tuple(n for n in now_format.counts if n in before_format.counts)
    now_rates, before_rates = _rates(now), _rates(before)
    rates = tuple(n for n in now_rates if before_rates.get(n) == now_rates[n])
    year_record = now.records.year_record
    if year_record is None:  # its `checks:` (the thresholds) cannot be known
        raise InputError([p for p in now.problems if p.file == now.records.year_file])
    checks = year_record.checks

    current = {slug: e.record for slug, e in now.records.councils.items()}
    earlier = {slug: e.record for slug, e in before.records.councils.items()}
    pairs = _match(current, earlier)
    comparisons = []
    for slug, (previous_slug, how) in sorted(pairs.items()):
        record = current[slug]
        old = earlier.get(previous_slug) if previous_slug else None
        comparison = CouncilComparison(slug, previous_slug, record.name, record.code, how)
        if old is not None:
            comparison.figures = _figures(old, record, counts, {n: now_rates[n] for n in rates})
            comparison.flags = _flags(comparison, old, record, checks)
        comparisons.append(comparison)
    matched = {p for p, _ in pairs.values() if p}
    for previous_slug in sorted(set(earlier) - matched):
        old = earlier[previous_slug]
        gone = CouncilComparison(None, previous_slug, old.name, old.code, None)
        gone.flags = [
            Flag(
                "gone",
                "gone",
                f"in {before.year} ({old.name}), with no record in {now.year}",
                checks.checked.get(previous_slug),
            )
        ]
        comparisons.append(gone)
    left_out = sorted({*now.records.failed, *(f"{before.year}:{s}" for s in before.records.failed)})
    return YearComparison(now.year, before.year, checks, comparisons, counts, rates, left_out)


def _match(
    current: dict[str, CouncilRecord], earlier: dict[str, CouncilRecord]
) -> dict[str, tuple[str | None, str | None]]:
    """This year's slug → (last year's slug, how matched): by code, then name, then slug."""
    free = dict(earlier)
    pairs: dict[str, tuple[str | None, str | None]] = {}
    by_code = {r.code: s for s, r in earlier.items() if r.code}
    by_name = {name_key(r.name): s for s, r in earlier.items()}
    for how in (CODE, NAME, SLUG):
        for slug, record in current.items():
            if slug in pairs:
                continue
            if how == CODE:
                found = by_code.get(record.code) if record.code else None
            elif how == NAME:
                found = by_name.get(name_key(record.name))
            else:
                found = slug
            if found is not None and found in free:
                pairs[slug] = (found, how)
                del free[found]
    for slug in current:
        pairs.setdefault(slug, (None, None))
    return pairs


def _figures(
    old: CouncilRecord,
    new: CouncilRecord,
    counts: tuple[str, ...],
    rates: dict[str, tuple[str, str]],
) -> list[Figure]:
    figures = [Figure(n, "count", record_count(old, n), record_count(new, n)) for n in counts]
    for name, (part, whole) in rates.items():
        figures.append(
            Figure(
                f"{name}_percent",
                "rate",
                percent(record_count(old, part), record_count(old, whole)),
                percent(record_count(new, part), record_count(new, whole)),
            )
        )
    return figures


def _count_change(before: int, after: int, checks: Checks) -> str | None:
    factor = checks.count_factor
    if max(before, after) < checks.count_at_least:
        return None
    if after >= factor * before:
        return "tripled or more" if factor == 3 else f"grew {factor} times or more"
    if after * factor <= before:
        return "fell to a third or less" if factor == 3 else f"fell to 1/{factor} or less"
    return None


def _flags(
    comparison: CouncilComparison, old: CouncilRecord, new: CouncilRecord, checks: Checks
) -> list[Flag]:
    flags = []

    def flag(name: str, rule: str, message: str) -> None:
        flags.append(Flag(name, rule, message, new.checked.get(name)))

    for figure in comparison.figures:
        before, after = figure.previous, figure.current
        if before is None or after is None:
            continue
        words = figure.name.removesuffix("_percent").replace("_", " ")
        if figure.kind == "rate" and abs(after - before) >= checks.rate_points:
            flag(
                figure.name,
                "rate",
                f"{words} rate {before}% → {after}%: moved {abs(after - before)} points "
                f"({checks.rate_points} or more)",
            )
        elif figure.kind == "count" and (change := _count_change(before, after, checks)):
            flag(figure.name, "count", f"{words} {before} → {after}: {change}")
    if comparison.matched_by == CODE:
        if old.type != new.type:
            flag("type", "type", f"type {old.type} → {new.type} under the same code {new.code}")
        if name_key(old.name) != name_key(new.name):
            flag("name", "name", f"name '{old.name}' → '{new.name}' under the same code {new.code}")
    return flags
