"""Checks across fields that types alone cannot express.

Each returns (dotted field, message) pairs; the loader turns them into located problems.
"""

from __future__ import annotations

from lgo_letters.schema.models import FORMAT_FIELDS, CouncilRecord

Finding = tuple[str, str]


def _counted(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def check_council(record: CouncilRecord, format_fields: frozenset[str]) -> list[Finding]:
    """Counts that contradict each other, and fields this year's letter has no place for."""
    findings: list[Finding] = []
    s = record.statistics
    if s.upheld > s.investigations:
        findings.append(
            (
                "statistics.upheld",
                f"{_counted(s.upheld, 'upheld decision', 'upheld decisions')} but only "
                + _counted(s.investigations, "detailed investigation", "detailed investigations"),
            )
        )
    if s.satisfactory_remedies > s.upheld:
        findings.append(
            (
                "statistics.satisfactory_remedies",
                _counted(s.satisfactory_remedies, "satisfactory remedy", "satisfactory remedies")
                + f" but only {_counted(s.upheld, 'upheld decision', 'upheld decisions')}",
            )
        )
    if s.complied > s.compliance_outcomes:
        findings.append(
            (
                "statistics.complied",
                f"complied in {s.complied} but only "
                f"{_counted(s.compliance_outcomes, 'compliance outcome', 'compliance outcomes')}",
            )
        )
    if record.late_remedies is not None and record.late_remedies > s.complied:
        findings.append(
            (
                "late_remedies",
                f"{_counted(record.late_remedies, 'late remedy', 'late remedies')} but only "
                f"{s.complied} complied (statistics.complied)",
            )
        )
    if record.late_remedies_detail and not record.late_remedies:
        findings.append(
            (
                "late_remedies_detail",
                "given, but late_remedies is not at least 1, so the compliance-delay paragraph "
                "it belongs to is not printed",
            )
        )
    for name in sorted(record.model_fields_set - format_fields):
        if name in FORMAT_FIELDS:
            findings.append((name, "this year's letter format has no place for this field"))
    return findings
