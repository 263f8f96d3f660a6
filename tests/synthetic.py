"""A synthetic year of council records, for the build tests and the benchmark.

Realistic mixes: every type of authority, a spread of counts (including none upheld and
all complied), and every third council with every optional paragraph of the 2021 format.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import yaml

from tests import projects
from tests.records import council

YEAR = 2021  # the format with every optional paragraph
_TYPES = ["district"] * 5 + ["unitary"] * 2 + ["county", "metropolitan", "london"]
_PLACES = [
    "Ashby",
    "Barnfield",
    "Carrow",
    "Denholm",
    "Elsworth",
    "Fenwick",
    "Galloway",
    "Hartley",
    "Ingleby",
    "Kirkham",
    "Langdon",
    "Marston",
    "Norbury",
    "Oakham",
    "Pickering",
    "Redmire",
    "Stanton",
    "Thornbury",
    "Upton",
    "Wexcombe",
]
_KINDS = {
    "district": "District Council",
    "unitary": "Council",
    "county": "County Council",
    "metropolitan": "Metropolitan Borough Council",
    "london": "London Borough Council",
}
_SURNAMES = [
    "Ahmed",
    "Baker",
    "Clarke",
    "Davies",
    "Evans",
    "Foster",
    "Green",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nash",
    "Owen",
    "Patel",
]
_ROLES = [
    "Chief Executive",
    "Interim Chief Executive",
    "Managing Director",
    "Director of Corporate Services and Chief Officer",
    "Head of Paid Service",
]
_DETAIL = (
    "We recognise in one of those cases the Council could not provide the personal "
    "remedy within the timescale we requested. However, there was also a significant "
    "delay completing the service improvement remedy."
)
_COMMENT = (
    "We were pleased to see the Council's prompt engagement with our office during "
    "the year, and the improvements it has made to how it handles complaints."
)


def council_record(index: int, rng: random.Random) -> tuple[str, dict[str, Any]]:
    """The slug and record of synthetic council number `index`."""
    kind = _TYPES[index % len(_TYPES)]
    place = f"{_PLACES[index % len(_PLACES)]} {index // len(_PLACES) + 1}"
    name = f"{place} {_KINDS[kind]}"
    slug = name.lower().replace(" ", "-")
    investigations = rng.choice([0, 1, 2, 5, 9, 14, 23, 40, 66])
    upheld = rng.randint(0, investigations)
    compliance = rng.randint(0, upheld)
    complied = rng.randint(max(0, compliance - 1), compliance)
    record = council(
        name=name,
        type=kind,
        recipients=[
            f"{rng.choice(['Mr', 'Ms', 'Mrs', 'Dr'])} {rng.choice(_SURNAMES)}"
            for _ in range(1 + (index % 7 == 0))
        ],
        role=rng.choice(_ROLES),
        statistics={
            "investigations": investigations,
            "upheld": upheld,
            "satisfactory_remedies": rng.randint(0, upheld),
            "compliance_outcomes": compliance,
            "complied": complied,
        },
    )
    if index % 3 == 0:  # every optional paragraph
        record["late_remedies"] = min(complied, 1 + index % 2)
        if record["late_remedies"]:
            record["late_remedies_detail"] = _DETAIL
        record["training_courses"] = index % 4
        record["comments"] = [_COMMENT] * (1 + index % 2)
    return slug, record


def make_project(root: Path, count: int, seed: int = 2021) -> Path:
    """`root` with templates/ and data/<YEAR>/ holding `count` synthetic councils."""
    projects.make_project(root, data=None, years=[YEAR])
    year_dir = root / "data" / str(YEAR)
    rng = random.Random(seed)
    for index in range(count):
        slug, record = council_record(index, rng)
        text = yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=1000)
        (year_dir / "councils" / f"{slug}.yaml").write_text(text, encoding="utf-8")
    return root
