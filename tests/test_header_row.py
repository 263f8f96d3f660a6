"""One header-row detector (sheets/cells.py) for `import` and the official councils list:
both skip the same title rows and read the same cells as headers."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from lgo_letters.completeness import read_councils_list


def _xlsx(file: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(file)  # formulas saved without a computed value, as some exporters do
    return file


def test_a_title_row_of_uncomputed_formulas_is_not_the_councils_lists_header(
    tmp_path: Path,
) -> None:
    # A title made by a formula ("Council name" once computed) is no header for `import`
    # (a formula without a saved value is never a header): nor is it for the councils list.
    listing = _xlsx(
        tmp_path / "councils.xlsx",
        [
            ['="Council name"'],
            ["ONS code", "Name"],
            ["E07000107", "Dartford Borough Council"],
        ],
    )
    listed = read_councils_list(listing)
    assert [(entry.line, entry.code, entry.name) for entry in listed] == [
        (3, "E07000107", "Dartford Borough Council")
    ]
