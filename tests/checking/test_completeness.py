"""The year is complete, and averages are not guessed in silence: warnings and --strict."""

from __future__ import annotations

from pathlib import Path
from urllib.request import urlopen

import pytest

from tests.errorcases import Run, invoke
from tests.exchange_helpers import YEAR, YEAR_FILE, make_year, record, write_record


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_year(
        tmp_path,
        {
            "dartford": record("Dartford Borough Council", code="E07000107"),
            "shire-a": record("Shire A County Council", "county"),
            "shire-b": record(
                "Shire B County Council",
                "county",
                statistics={"investigations": 2, "upheld": 2, "satisfactory_remedies": 0},
            ),
        },
    )


def _run(root: Path, command: str, *args: str) -> Run:
    extra = ["--out", str(root / "output")] if command == "build" else []
    return invoke(
        command,
        str(YEAR),
        *args,
        "--data",
        str(root / "data"),
        "--templates",
        str(root / "templates"),
        *extra,
    )


def year_file(root: Path) -> Path:
    return root / "data" / str(YEAR) / "year.yaml"


def test_pooled_averages_are_said_and_fail_with_strict(root: Path) -> None:
    result = _run(root, "validate")
    assert result.code == 0, result.stderr
    assert (
        f"warning: {year_file(root)}:4:1: averages.county: averages for county computed from "
        "2 records: give them in year.yaml if the Ombudsman publishes them"
    ) in result.stderr
    assert "district" not in result.stderr  # given in year.yaml: nothing to say
    strict = _run(root, "validate", "--strict")
    assert strict.code == 1
    assert "error (--strict):" in strict.stderr and "averages for county" in strict.stderr


def test_an_invalid_record_left_out_of_the_pool_is_named(root: Path) -> None:
    write_record(
        root,
        "shire-c",
        record("Shire C County Council", "county", statistics={"investigations": 1, "upheld": 3}),
    )
    result = _run(root, "validate")
    assert result.code == 1
    assert (
        "averages for county computed from 2 records: give them in year.yaml if the Ombudsman "
        "publishes them; left out, being invalid: shire-c.yaml (fixing it will change these "
        "averages)"
    ) in result.stderr


def test_build_says_so_and_strict_builds_nothing(root: Path) -> None:
    strict = _run(root, "build", "--strict", "--format", "html")
    assert strict.code == 1
    assert "--strict: 1 warning(s); no letter was built" in strict.stderr
    assert not list((root / "output").glob("*/*.html"))
    result = _run(root, "build", "--format", "html")
    assert result.code == 0, result.stderr
    assert "warning:" in result.stderr and "averages for county computed from 2" in result.stderr
    assert len(list((root / "output" / str(YEAR)).glob("*.html"))) == 3
    # Given averages: no warning, and --strict builds.
    year_file(root).write_text(
        YEAR_FILE + "  county: {upheld: 40, compliance: 90, satisfactory_remedy: 10}\n"
    )
    assert _run(root, "build", "--strict", "--format", "html").code == 0


def test_the_official_list_of_councils(root: Path) -> None:
    year_file(root).write_text(
        YEAR_FILE
        + "  county: {upheld: 40, compliance: 90, satisfactory_remedy: 10}\n"
        + "councils_list: councils.csv\n"
    )
    listing = root / "data" / str(YEAR) / "councils.csv"
    listing.write_text(
        "Councils in England, 2021\n"
        "ONS code,Name\n"
        "E07000107,Dartford Borough Council\n"
        "E10000099,Shire A County Council\n"
        "E07000001,Ashby District Council\n"
        ",Shire B County Council (The)\n"
    )
    result = _run(root, "validate")
    assert result.code == 0, result.stderr
    councils = root / "data" / str(YEAR) / "councils"
    warnings = sorted(line for line in result.stderr.splitlines() if line.startswith("warning"))
    assert warnings == sorted(
        [
            f"warning: {listing}:5: Ashby District Council (E07000001) is on the official "
            "list but has no record",
            f"warning: {listing}:6: Shire B County Council (The) is on the official list but "
            "has no record",
            f"warning: {councils / 'shire-b.yaml'}:1:1: name: 'Shire B County Council' is not on "
            "the official list (councils.csv)",
        ]
    )
    # A name that differs from the official one (matched by code).
    write_record(root, "dartford", record("Dartford BC", code="E07000107"))
    result = _run(root, "validate", "--strict")
    assert result.code == 1
    assert (
        f"{councils / 'dartford.yaml'}:1:1: name: 'Dartford BC' differs from the official "
        "name 'Dartford Borough Council' (councils.csv:3)"
    ) in result.stderr
    listing.unlink()
    result = _run(root, "validate")
    assert result.code == 1
    assert f"councils_list: no file at {listing}" in result.stderr


def test_serve_shows_the_warnings_on_its_index(root: Path) -> None:
    from lgo_letters.project import Paths
    from lgo_letters.serve import serving

    paths = Paths(root / "data", root / "templates", root / "output")
    with serving(paths, YEAR, port=0) as live, urlopen(live.url, timeout=30) as response:
        page = response.read().decode()
    warnings = page.split('<section class="warnings">', 1)[1].split("</section>", 1)[0]
    assert "averages.county" in warnings
    assert "averages for county computed from 2 records" in warnings
    assert "district" not in warnings  # given in year.yaml: nothing to say
