"""A small project of our own for the fault tests: the real templates, our own year file and
records (never the bundled data), written into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests import projects, records
from tests.years import year_file

YEAR = 2021
# The dates and the format's facts (lines 1-3), then the averages.
YEAR_FILE = (
    year_file(YEAR)
    + """\
averages:
  district: {upheld: 50, compliance: 100, satisfactory_remedy: 20}
"""
)


def council(name: str, **overrides: object) -> dict:
    """A valid district council's record named `name` (the one record factory's)."""
    return records.council(name=name, **overrides)


def make_project(root: Path, councils: dict[str, dict] | None = None) -> Path:
    """`root` with templates/ and data/2021/ holding year.yaml and the given records (by
    slug; default: three councils, ashby, barnfield and carrow)."""
    projects.make_project(root, data=None, years=[YEAR])
    year_dir = root / "data" / str(YEAR)
    (year_dir / "year.yaml").write_text(YEAR_FILE, encoding="utf-8")
    if councils is None:
        councils = {
            slug: council(f"{slug.title()} District Council")
            for slug in ("ashby", "barnfield", "carrow")
        }
    for slug, record in councils.items():
        write_record(root, slug, record)
    return root


def write_record(root: Path, slug: str, record: dict | str) -> Path:
    file = root / "data" / str(YEAR) / "councils" / f"{slug}.yaml"
    text = record if isinstance(record, str) else yaml.safe_dump(record, allow_unicode=True)
    file.write_text(text, encoding="utf-8")
    return file


def record_text(name: str = "Ashby District Council", **lines: str) -> str:
    """A record as YAML text, with some values written exactly as given (unquoted)."""
    values = {
        "name": name,
        "type": "district",
        "recipients": "[Ms Example]",
        "role": "Chief Executive",
        "investigations": "4",
        "upheld": "3",
        "satisfactory_remedies": "1",
        "compliance_outcomes": "3",
        "complied": "3",
        **lines,
    }
    return (
        f"name: {values['name']}\n"
        f"type: {values['type']}\n"
        f"recipients: {values['recipients']}\n"
        f"role: {values['role']}\n"
        "statistics:\n"
        f"  investigations: {values['investigations']}\n"
        f"  upheld: {values['upheld']}\n"
        f"  satisfactory_remedies: {values['satisfactory_remedies']}\n"
        f"  compliance_outcomes: {values['compliance_outcomes']}\n"
        f"  complied: {values['complied']}\n"
    )
