"""Similar-authority averages: as given in year.yaml, or pooled from the year's records."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lgo_letters.context.numbers import percent
from lgo_letters.schema.models import AUTHORITY_TYPES, CouncilRecord, RateSpec, YearRecord


@dataclass(frozen=True)
class TypeAverages:
    """Averages for one authority type, by the format's averages key (whole per cent); a
    rate is None where no case could make one."""

    rates: Mapping[str, int | None]
    source: str  # "given" (year.yaml) or "computed" (pooled from records)
    councils: int = 0


def record_count(record: CouncilRecord, name: str) -> int:
    """A count of the record: one of its statistics, or a top-level count field (0 when
    the record does not give it)."""
    value = getattr(record.statistics, name, None)
    if value is None:
        value = getattr(record, name, None)
    return value or 0


def pooled_rate(records: Iterable[CouncilRecord], part: str, whole: str) -> int | None:
    """The rate of several councils together: the sum of their parts over the sum of their
    wholes (not the mean of their rates), half up; None over zero cases."""
    records = list(records)
    return percent(
        sum(record_count(r, part) for r in records), sum(record_count(r, whole) for r in records)
    )


def pooled_averages(
    records: Iterable[CouncilRecord], rates: Mapping[str, RateSpec]
) -> dict[str, TypeAverages]:
    """Each `rates` average pooled by authority type from `records`."""
    by_type: dict[str, list[CouncilRecord]] = {kind: [] for kind in AUTHORITY_TYPES}
    for record in records:  # one pass, whatever the number of types
        by_type[record.type].append(record)
    result: dict[str, TypeAverages] = {}
    for kind, similar in by_type.items():
        if not similar:
            continue
        result[kind] = TypeAverages(
            {name: pooled_rate(similar, rate.part, rate.whole) for name, rate in rates.items()},
            source="computed",
            councils=len(similar),
        )
    return result


def year_averages(
    year: YearRecord, records: Iterable[CouncilRecord], rates: Mapping[str, RateSpec]
) -> dict[str, TypeAverages]:
    """The averages each letter compares with: given ones win, computed ones fill gaps."""
    records = list(records)
    averages = pooled_averages(records, rates)
    for kind, given in year.averages.items():
        averages[kind] = TypeAverages(
            {name: getattr(given, name, None) for name in rates},
            source="given",
            councils=sum(1 for r in records if r.type == kind),
        )
    return averages
