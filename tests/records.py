"""The one factory of council records for tests: as data, and as the YAML a person writes.

`council()` is a valid record in every year's format (the optional fields of the 2021
format are left out unless given); `council_yaml()` writes a record the way the bundled
records are written, one field a line, so tests can locate problems by line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def council(**overrides: Any) -> dict[str, Any]:
    """A valid district council record; keyword arguments replace its fields, and
    `statistics={...}` replaces only the counts it names."""
    record: dict[str, Any] = {
        "name": "Testshire District Council",
        "type": "district",
        "recipients": ["Ms Example"],
        "role": "Chief Executive",
        "statistics": {
            "investigations": 10,
            "upheld": 5,
            "satisfactory_remedies": 1,
            "compliance_outcomes": 4,
            "complied": 4,
        },
    }
    record["statistics"].update(overrides.pop("statistics", {}))
    record.update(overrides)
    return record


def _flow(value: Any) -> str:
    """One scalar, or a list of scalars, in YAML flow style on one line."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
    return text.removesuffix("\n...\n").removesuffix("\n")


def council_yaml(record: dict[str, Any]) -> str:
    """The record as YAML: a field a line, lists of names in [flow style], the counts
    indented under `statistics:`."""
    lines = []
    for key, value in record.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(f"  {name}: {_flow(count)}" for name, count in value.items())
        else:
            lines.append(f"{key}: {_flow(value)}")
    return "\n".join(lines) + "\n"


def dartford(**overrides: Any) -> dict[str, Any]:
    """`council()` with the figures and names of the bundled Dartford 2021 record (made
    up here, so no test depends on the bundled one)."""
    record = council(
        name="Dartford Borough Council",
        recipients=["Mrs Martin"],
        role="Director of Corporate Services",
        statistics={
            "investigations": 4,
            "upheld": 3,
            "satisfactory_remedies": 0,
            "compliance_outcomes": 3,
            "complied": 3,
        },
    )
    record.update(overrides)
    return record


# dartford() in a person's layout, for the tests of bad input to edit by text:
# name 1, type 2, recipients 3, role 4, statistics 5, investigations 6, upheld 7 … complied 10.
VALID_COUNCIL = council_yaml(dartford())


def council_with(old: str, new: str) -> str:
    """VALID_COUNCIL with one piece of text replaced (it must be there)."""
    assert old in VALID_COUNCIL
    return VALID_COUNCIL.replace(old, new)


def write_council(
    project: Path, slug: str, record: dict[str, Any] | str | bytes, year: int = 2021
) -> Path:
    """Write data/<year>/councils/<slug>.yaml under `project`: a record (as council_yaml
    writes it), or text or bytes exactly as given."""
    file = project / "data" / str(year) / "councils" / f"{slug}.yaml"
    file.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(record, bytes):
        file.write_bytes(record)
    else:
        text = council_yaml(record) if isinstance(record, dict) else record
        file.write_text(text, encoding="utf-8")
    return file
