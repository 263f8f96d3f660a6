"""`lgo-letters build --combined`: one print copy of the year's final letters, never stale and
never holding a draft, on records made by the test."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest

from tests.helpers import run_cli
from tests.records import council, write_council
from tests.textutil import collapse

pytestmark = pytest.mark.slow

YEAR = 2020
COMBINED = f"_all-letters-{YEAR}.pdf"


@pytest.fixture
def project(new_project: Callable[..., Path], tmp_path: Path) -> Path:
    """Two final letters and a draft, in a project of their own."""
    new_project(data=None, years=[YEAR])
    write_council(tmp_path, "zeta", year=YEAR, record=council(name="Zeta Borough Council"))
    write_council(tmp_path, "alpha", year=YEAR, record=council(name="Alpha District Council"))
    write_council(
        tmp_path, "drafty", year=YEAR, record=council(name="Drafty City Council", draft=True)
    )
    return tmp_path


def build(project: Path, *options: str):
    return run_cli("build", str(YEAR), "--jobs", "1", *options, cwd=project)


def combined_text(project: Path) -> str:
    reader = pypdf.PdfReader(project / "output" / str(YEAR) / COMBINED)
    return collapse(" ".join(page.extract_text() for page in reader.pages))


def manifest_combined(project: Path) -> dict | None:
    manifest = project / "output" / str(YEAR) / "manifest.json"
    return json.loads(manifest.read_text(encoding="utf-8"))["combined"]


def test_the_final_letters_in_order_with_bookmarks_and_no_draft(project: Path) -> None:
    out_year = project / "output" / str(YEAR)
    result = build(project, "--combined")
    assert result.returncode == 0, result.stderr
    assert "drafts left out: drafty" in result.stderr
    assert "combined PDF, a print copy: " in result.stderr and "(2 letters, " in result.stderr
    combined = pypdf.PdfReader(out_year / COMBINED)
    titles = [(item.title, combined.get_destination_page_number(item)) for item in combined.outline]
    alpha_pages = len(pypdf.PdfReader(out_year / "alpha.pdf").pages)
    assert titles == [("Alpha District Council", 0), ("Zeta Borough Council", alpha_pages)]
    assert len(combined.pages) == alpha_pages + len(pypdf.PdfReader(out_year / "zeta.pdf").pages)
    text = combined_text(project)
    assert "Drafty City Council" not in text and "DRAFT" not in text
    # Its own metadata says what it is: a print copy, not the accessible letters to publish.
    assert (
        combined.metadata.title == f"Annual review letters {YEAR} – print copy, not for publication"
    )
    assert "Publish each council's own letter PDF" in combined.metadata.subject
    assert combined.trailer["/Root"]["/Lang"] == "en-GB"
    assert manifest_combined(project)["drafts_left_out"] == ["drafty"]

    assert "combined PDF unchanged" in build(project, "--combined").stderr
    refused = build(project, "--combined", "--only", "alpha")
    assert refused.returncode == 2 and "--combined" in refused.stderr


def test_a_changed_letter_rebuilds_it_or_removes_it(project: Path) -> None:
    combined = project / "output" / str(YEAR) / COMBINED
    assert build(project, "--combined").returncode == 0
    assert "Statistics are based on a total of 10 detailed investigations" in combined_text(project)

    # A whole-year build without --combined rebuilds it with the new figures.
    write_council(
        project,
        "alpha",
        year=YEAR,
        record=council(name="Alpha District Council", statistics={"investigations": 12}),
    )
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert "combined PDF rebuilt (its letters changed)" in result.stderr
    assert "a total of 12 detailed investigations" in combined_text(project)

    # A build of one letter cannot remake it: it is removed, never left stale.
    write_council(
        project,
        "alpha",
        year=YEAR,
        record=council(name="Alpha District Council", statistics={"investigations": 14}),
    )
    result = build(project, "--only", "alpha")
    assert result.returncode == 0, result.stderr
    assert "combined PDF removed, its letters changed" in result.stderr
    assert not combined.exists() and manifest_combined(project) is None

    # A letter that becomes a draft leaves it at the next whole-year build.
    assert build(project, "--combined").returncode == 0
    write_council(
        project, "zeta", year=YEAR, record=council(name="Zeta Borough Council", draft=True)
    )
    result = build(project)
    assert "drafts left out: drafty, zeta" in result.stderr, result.stderr
    assert "Zeta Borough Council" not in combined_text(project)


def test_an_unrelated_build_of_one_letter_keeps_it(project: Path) -> None:
    assert build(project, "--combined").returncode == 0
    before = (project / "output" / str(YEAR) / COMBINED).read_bytes()
    write_council(
        project,
        "drafty",
        year=YEAR,
        record=council(name="Drafty City Council", draft=True, role="Director"),
    )
    result = build(project, "--only", "drafty")
    assert result.returncode == 0 and "combined PDF" not in result.stderr, result.stderr
    assert (project / "output" / str(YEAR) / COMBINED).read_bytes() == before


def test_a_build_with_a_failed_letter_removes_it_when_a_council_is_gone(project: Path) -> None:
    assert build(project, "--combined").returncode == 0
    (project / "data" / str(YEAR) / "councils" / "zeta.yaml").unlink()
    bad = council(name="Alpha District Council", statistics={"upheld": 11})
    write_council(project, "alpha", year=YEAR, record=bad)
    result = build(project)
    assert result.returncode == 1
    assert "combined PDF removed, its letters changed and 1 letter(s) failed (alpha)" in (
        result.stderr
    )
    assert not (project / "output" / str(YEAR) / COMBINED).exists()


def test_one_deleted_by_hand_is_made_again_only_when_asked(project: Path) -> None:
    combined = project / "output" / str(YEAR) / COMBINED
    assert build(project, "--combined").returncode == 0
    combined.unlink()
    result = build(project)
    assert result.returncode == 0 and "combined PDF" not in result.stderr, result.stderr
    assert not combined.exists() and manifest_combined(project) is None
    assert build(project, "--combined").returncode == 0 and combined.exists()
