"""The synthetic year (tests/synthetic.py) as the spreadsheet a case system would export:
one XLSX row per council, with title rows, the usual type words and Excel's floats."""

from __future__ import annotations

import random
from pathlib import Path

from openpyxl import Workbook

from tests.synthetic import council_record

TYPE_WORDS = {
    "county": "County Council",
    "district": "District",
    "metropolitan": "Metropolitan Borough",
    "unitary": "Unitary Authority",
    "london": "London Borough",
}
HEADER = [
    "Authority",
    "Authority type",
    "Detailed investigations",
    "Upheld decisions",
    "Satisfactory remedies",
    "Compliance outcomes",
    "Complied",
    "Recipients",
    "Job title",
    "Email",
]


def year_rows(count: int, seed: int = 2021) -> list[tuple[str, dict]]:
    """(slug, record) of `count` synthetic councils."""
    rng = random.Random(seed)
    return [council_record(index, rng) for index in range(count)]


def write_figures_xlsx(file: Path, count: int, seed: int = 2021, bump: int = 0) -> Path:
    """`count` councils' figures and contacts; `bump` adds to every investigations count."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Statistics"
    sheet.append(["Annual review figures, 1 April 2020 to 31 March 2021"])
    sheet.append([])
    sheet.append(HEADER)
    for slug, record in year_rows(count, seed):
        stats = record["statistics"]
        sheet.append(
            [
                record["name"],
                TYPE_WORDS[record["type"]],
                float(stats["investigations"] + bump),  # Excel keeps numbers as floats
                float(stats["upheld"]),
                stats["satisfactory_remedies"],
                stats["compliance_outcomes"],
                stats["complied"],
                "; ".join(record["recipients"]),
                record["role"],
                f"chief.executive@{slug}.gov.uk",
            ]
        )
    workbook.save(file)
    return file
