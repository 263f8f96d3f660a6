"""Similar-authority averages: as given in year.yaml, or pooled from the year's records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lgo_letters.context.numbers import percent
from lgo_letters.schema.models import AUTHORITY_TYPES, CouncilRecord, YearRecord


@dataclass(frozen=True)
class TypeAverages:
    """Averages for one authority type; a rate is None where no case could make one."""

    upheld: int | None
    compliance: int | None
    satisfactory_remedy: int | None
    source: str  # "given" (year.yaml) or "computed" (pooled from records)
    councils: int = 0


def pooled_averages(records: Iterable[CouncilRecord]) -> dict[str, TypeAverages]:
    """Pooled rates by type: sum of upheld / sum of investigations, and so on."""
    records = list(records)
    result = {}
    for kind in AUTHORITY_TYPES:
        stats = [r.statistics for r in records if r.type == kind]
        if not stats:
            continue
        result[kind] = TypeAverages(
            upheld=percent(sum(s.upheld for s in stats), sum(s.investigations for s in stats)),
            compliance=percent(
                sum(s.complied for s in stats), sum(s.compliance_outcomes for s in stats)
            ),
            satisfactory_remedy=percent(
                sum(s.satisfactory_remedies for s in stats), sum(s.upheld for s in stats)
            ),
            source="computed",
            councils=len(stats),
        )
    return result


def year_averages(year: YearRecord, records: Iterable[CouncilRecord]) -> dict[str, TypeAverages]:
    """The averages each letter compares with: given ones win, computed ones fill gaps."""
    records = list(records)
    averages = pooled_averages(records)
    for kind, given in year.averages.items():
        averages[kind] = TypeAverages(
            getattr(given, "upheld", None),
            getattr(given, "compliance", None),
            getattr(given, "satisfactory_remedy", None),
            source="given",
            councils=sum(1 for r in records if r.type == kind),
        )
    return averages
