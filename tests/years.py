"""year.yaml as the bundled formats need it: the dates, and the facts their wording prints
(each format declares its facts in templates/<year>/format.yaml, and year.yaml must give
them). Made-up figures, so a test never depends on the bundled data/."""

from __future__ import annotations

import yaml

FACTS: dict[int, dict[str, object]] = {
    2020: {
        "seminar_places": "Leeds and Bristol",
        "seminar_delegates": 12,
        "seminar_authorities": 9,
        "training_courses": 30,
        "people_trained": 1200,
        "more_courses_than_last_year": 4,
    },
    2021: {"online_workshops": 21, "people_reached": 2300},
}


def year_file(year: int, letter_date: str | None = None, **extra: object) -> str:
    """The text of a valid year.yaml for `year` (2020 or 2021's format); `extra` keys
    (averages, signature_image ...) are added as given."""
    text = f"letter_date: {letter_date or f'{year}-07-21'}\npublication_date: {year}-07-28\n"
    # The facts on one line (line 3), so what `extra` adds comes last, as in a hand-written
    # file: a test may append to its last mapping.
    text += "facts: " + yaml.safe_dump(FACTS[year], default_flow_style=True, width=4096)
    return text + (yaml.safe_dump(extra, sort_keys=False) if extra else "")
