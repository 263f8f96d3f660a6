"""A whole year in: 340 councils imported from one XLSX file, then built and exported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.errorcases import invoke
from tests.exchange_helpers import YEAR, make_year
from tests.synthetic_sheet import write_figures_xlsx, year_rows

COUNCILS = 340


@pytest.mark.slow
def test_340_councils_import_then_build(tmp_path: Path) -> None:
    root = make_year(tmp_path, {})
    folders = ["--data", str(root / "data"), "--templates", str(root / "templates")]
    figures = write_figures_xlsx(tmp_path / "figures.xlsx", COUNCILS)

    result = invoke("import", str(YEAR), str(figures), "--create", *folders)
    assert result.code == 0, result.stderr
    assert (
        f"{COUNCILS} council(s) in {COUNCILS} row(s) of 1 file(s); 0 record(s) changed "
        f"(0 field(s)), {COUNCILS} created" in result.stdout
    )
    assert len(list((root / "data" / str(YEAR) / "councils").glob("*.yaml"))) == COUNCILS

    out = ["--out", str(root / "output")]
    built = invoke("build", str(YEAR), "--format", "html", *folders, *out)
    assert built.code == 0, built.stderr
    assert len(list((root / "output" / str(YEAR)).glob("*.html"))) == COUNCILS

    exported = invoke("export", str(YEAR), "--to", str(tmp_path / "year.json"), *folders, *out)
    assert exported.code == 0, exported.stderr
    rows = json.loads((tmp_path / "year.json").read_text())["councils"]
    by_name = {row["name"]: row for row in rows}
    for _slug, record in year_rows(COUNCILS):
        row = by_name[record["name"]]
        for field, value in record["statistics"].items():
            assert row[field] == value, (record["name"], field)
        assert row["recipients"] == record["recipients"]
        assert row["html_sha256"] is not None

    # A second import of changed figures: every record changed in one field, nothing else.
    figures = write_figures_xlsx(tmp_path / "figures.xlsx", COUNCILS, bump=1)
    result = invoke("import", str(YEAR), str(figures), *folders)
    assert result.code == 0, result.stderr
    assert f"{COUNCILS} record(s) changed ({COUNCILS} field(s)), 0 created" in result.stdout
