"""`approve` prints the open year-on-year flags of each council it approves, and `review`
shows a changed letter's flags beside its changes (issue 23): real built letters of made-up
councils (tests/release.py) and a previous year to compare them with."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.errorcases import invoke
from tests.records import council
from tests.release import YEAR, change_record, lgo, rebuild, write_record
from tests.years import year_file

pytestmark = pytest.mark.slow  # builds letters

PREVIOUS = YEAR - 1
# Each council of tests/release.py upholds 5 of 10 investigations (50%) this year, with 1
# satisfactory remedy (20%). Last year's figures: 1 of 10 upheld and none remedied (only
# the upheld rate moved 25 points or more), or this year's.
JUMPED = {"upheld": 1, "satisfactory_remedies": 0}
SAME: dict[str, int] = {}
JUMP = "upheld_percent: upheld rate 10% → 50%: moved 40 points (25 or more)"


def previous_year(root: Path, figures: dict[str, dict[str, int]]) -> None:
    """data/2020: the councils of `figures` (slug → their counts that differ from
    tests/records.py's), named as this year, so that `compare` matches them by name."""
    folder = root / "data" / str(PREVIOUS) / "councils"
    folder.mkdir(parents=True)
    (folder.parent / "year.yaml").write_text(year_file(PREVIOUS), encoding="utf-8")
    for slug, statistics in figures.items():
        this_year = yaml.safe_load(
            (root / "data" / str(YEAR) / "councils" / f"{slug}.yaml").read_text()
        )
        record = council(name=this_year["name"], statistics=statistics)
        write_record(folder / f"{slug}.yaml", record)


def mark_checked(root: Path, slug: str, flag: str, why: str) -> None:
    file = root / "data" / str(YEAR) / "councils" / f"{slug}.yaml"
    record = yaml.safe_load(file.read_text("utf-8"))
    record["checked"] = {flag: why}
    write_record(file, record)


def test_approve_prints_each_open_flag(release_project: Path) -> None:
    # ashby's upheld rate jumped from 10%; barnfield's too, and someone has checked it;
    # ynys-mon's is as it was.
    previous_year(release_project, {"ashby": JUMPED, "barnfield": JUMPED, "ynys-mon": SAME})
    mark_checked(release_project, "barnfield", "upheld_percent", "new process from April")
    rebuild(release_project)

    result = lgo(release_project, "approve", "ashby", "barnfield", "ynys-mon", "--by", "J")

    assert result.code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "approved ashby",
        "approved barnfield",
        "approved ynys-mon",
    ]
    flagged = [line for line in result.stderr.splitlines() if "year-on-year flag" in line]
    assert flagged == [f"ashby: approved with an open year-on-year flag: {JUMP} [open]"]

    # The compare command agrees: two flags, one of them checked.
    data, templates = release_project / "data", release_project / "templates"
    compared = invoke(
        "compare", str(YEAR), "--flagged", "--data", str(data), "--templates", str(templates)
    )
    assert f"  flag {JUMP} [open]" in compared.stdout
    assert f"  flag {JUMP} [checked: new process from April]" in compared.stdout


def test_review_shows_a_changed_letters_flags_beside_its_changes(release_project: Path) -> None:
    previous_year(release_project, {"ashby": JUMPED, "barnfield": JUMPED, "ynys-mon": SAME})
    assert lgo(release_project, "approve", "ashby", "barnfield", "ynys-mon", "--by", "J").code == 0

    # After approval, each figure changes: 5 of 8 upheld (63%).
    for slug in ("ashby", "barnfield", "ynys-mon"):
        change_record(release_project, slug, investigations=8)
    mark_checked(release_project, "barnfield", "upheld_percent", "new process from April")
    rebuild(release_project)
    review = lgo(release_project, "review")

    assert review.code == 0, review.stderr
    assert "3 letter(s) changed since approval" in review.stderr
    lines = review.stdout.splitlines()
    moved = "upheld rate 10% → 63%: moved 53 points (25 or more)"
    for slug, state in (("ashby", "open"), ("barnfield", "checked: new process from April")):
        head = next(i for i, line in enumerate(lines) if line.startswith(f"== {slug} "))
        # The flag comes right after the letter's heading, before its changed sentences.
        assert lines[head + 1] == f"year-on-year flag upheld_percent: {moved} [{state}]"
        assert lines[head + 2].startswith(("-", "+", " ", "@"))
    ynys_mon = next(i for i, line in enumerate(lines) if line.startswith("== ynys-mon "))
    assert not lines[ynys_mon + 1].startswith("year-on-year flag")  # 50% → 63%: 13 points
