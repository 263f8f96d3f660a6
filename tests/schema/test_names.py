"""One comparison of council names (lgo_letters.schema.names.name_key): the loader's check
for two records of one council, `import`'s matching of rows to records and `validate`'s
comparison with the official list take the same names for one council."""

from __future__ import annotations

from pathlib import Path

import pytest

from lgo_letters.schema.names import name_key, sort_key
from tests.errorcases import invoke
from tests.exchange_helpers import YEAR, YEAR_FILE, make_year, record

RECORDED = "Bath & North-East Somerset Council"
# Ways a spreadsheet or a second record writes the same name.
SAME = [
    "BATH AND NORTH EAST SOMERSET COUNCIL",  # case, "&"/"and", punctuation
    "Bath\u00a0&  North East  Somerset Council",  # spacing, a non-breaking space
    "Bath\u200b & North-East Somerset Coun\u00adcil",  # invisible characters
    "Bâth & North-East Somerset Council",  # accents
    "Bath & North-East Somerset Council.",
]
OTHER = ["Bath & North Somerset Council", "North-East Somerset Council", "Bathe Council"]


def folders(root: Path) -> list[str]:
    return ["--data", str(root / "data"), "--templates", str(root / "templates")]


@pytest.mark.parametrize("name", SAME + OTHER)
def test_the_duplicate_check_and_import_agree(tmp_path: Path, name: str) -> None:
    same = name in SAME
    assert (name_key(name) == name_key(RECORDED)) == same

    # The loader: a second record by this name is, or is not, the same council.
    two = make_year(tmp_path / "two", {"bath": record(RECORDED), "other": record(name)})
    run = invoke("validate", str(YEAR), *folders(two))
    assert (run.code == 1 and "also has a record in" in run.stderr) == same, run.stderr

    # Import: a row by this name updates the record, or matches none.
    one = make_year(tmp_path / "one", {"bath": record(RECORDED)})
    figures = tmp_path / "figures.csv"
    figures.write_text(f'Council,Upheld\n"{name}",2\n', encoding="utf-8")
    run = invoke("import", str(YEAR), str(figures), *folders(one))
    assert (run.code == 0 and "bath: statistics.upheld 5 → 2" in run.stdout) == same, run.stderr
    assert ("match no council record" in run.stderr) != same

    # The official list: the name is, or is not, the record's.
    listed = make_year(
        tmp_path / "listed",
        {"bath": record(RECORDED)},
        YEAR_FILE + "councils_list: councils.csv\n",
    )
    (listed / "data" / str(YEAR) / "councils.csv").write_text(f'code,name\n,"{name}"\n')
    run = invoke("validate", str(YEAR), *folders(listed))
    assert ("is not on the official list" in run.stderr) != same, run.stderr


# Where a council is listed (sort_key): under the place it is named for.


def test_councils_sort_under_the_place_they_are_named_for():
    names = [
        "City of London",
        "Barnet, London Borough of",
        "London Borough of Bexley",
        "The Royal Borough of Kingston upon Thames",
        "Council of the Isles of Scilly",
        "Ashford Borough Council",
        "City of Bradford Metropolitan District Council",
        "Lambeth Council",
        "Cityville District Council",  # "City" is part of its name here
    ]
    assert sorted(names, key=sort_key) == [
        "Ashford Borough Council",
        "Barnet, London Borough of",  # B
        "London Borough of Bexley",  # B
        "City of Bradford Metropolitan District Council",  # B
        "Cityville District Council",
        "Council of the Isles of Scilly",  # I
        "The Royal Borough of Kingston upon Thames",  # K
        "Lambeth Council",
        "City of London",  # L
    ]


def test_a_records_sort_name_places_it():
    hull = "Kingston upon Hull City Council"
    names = {"Hartlepool Borough Council": None, hull: "Hull", "Isle of Wight Council": None}
    assert sorted(names, key=lambda name: sort_key(name, names[name])) == [
        "Hartlepool Borough Council",
        hull,
        "Isle of Wight Council",
    ]
    # Accents and case are set aside as in every comparison of names.
    assert sort_key("Cyngor Sir Ynys Môn")[0] == sort_key("CYNGOR SIR YNYS MON")[0]
