"""`lgo-letters check`, run as a user would, on temporary copies of the project.

These tests make their own golden files from the copy, so they hold whatever the letters
look like today; test_golden.py is the one that holds the committed golden files.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import REPO, copy_project, run_cli

# Slow: `lgo-letters check` in child processes, rendering every case's PDF and pages.
pytestmark = pytest.mark.slow

SENTENCE = "So, I hope that this feedback, which provides unique insight"
EDITED = "So, I trust that this feedback, which provides unique insight"
# One edge case a year goes through the same path as the councils in data/.
EDGE_CASES = ("2020/every-singular", "2021/every-singular")


def _check(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "check",
        *args,
        "--data",
        str(project / "data"),
        "--templates",
        str(project / "templates"),
        "--golden",
        str(project / "golden"),
        "--cases",
        str(project / "cases"),
        "--out",
        str(project / "output"),
    )


def _statuses(stdout: str) -> dict[str, str]:
    """Case name → status word, from the check's report."""
    return dict(
        (m.group(2), m.group(1))
        for m in re.finditer(r"^(ok|NEW|CHANGED|GONE|ERROR) +(\d{4}/[a-z0-9-]+)", stdout, re.M)
    )


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def golden_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Data, templates and two edge cases, with golden files written by `check --update`."""
    root = copy_project(tmp_path_factory.mktemp("golden-project"))
    for name in EDGE_CASES:
        year, slug = name.split("/")
        target = root / "cases" / year / "councils" / f"{slug}.yaml"
        target.parent.mkdir(parents=True)
        shutil.copy(REPO / "tests" / "golden_cases" / year / "councils" / f"{slug}.yaml", target)
    result = _check(root, "--update")
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(_statuses(result.stdout).values()) == {"NEW"}, result.stdout
    return root


@pytest.fixture
def project(golden_project: Path, tmp_path: Path) -> Path:
    """A fresh copy of the project and its golden files, for one test to change."""
    shutil.copytree(golden_project, tmp_path / "project")
    return tmp_path / "project"


def test_unchanged_letters_pass(project: Path) -> None:
    result = _check(project)
    assert result.returncode == 0, result.stdout + result.stderr
    statuses = _statuses(result.stdout)
    assert len(statuses) == 7 and set(statuses.values()) == {"ok"}, result.stdout
    assert "7 case(s): 7 match" in result.stderr


def test_a_template_sentence_edit_fails_exactly_that_years_cases_until_updated(
    project: Path,
) -> None:
    template = project / "templates" / "2020" / "letter.html.j2"
    original = template.read_text(encoding="utf-8")
    goldens_before = _snapshot(project / "golden")
    template.write_text(original.replace(SENTENCE, EDITED), encoding="utf-8")

    result = _check(project)
    assert result.returncode == 1
    statuses = _statuses(result.stdout)
    changed = {name for name, status in statuses.items() if status == "CHANGED"}
    assert changed == {name for name in statuses if name.startswith("2020/")}
    assert {statuses[name] for name in statuses if name.startswith("2021/")} == {"ok"}
    # Every 2020 case shows the sentence, old and new, in its HTML and PDF-text diffs.
    for name in changed:
        section = result.stdout.split(f"CHANGED  {name}\n")[1].split("\nCHANGED")[0]
        html_diff, text_diff = section.split("PDF text differs:")
        assert "\n    -So, I hope that this feedback" in html_diff, section
        assert "\n    +So, I trust that this feedback" in html_diff, section
        assert re.search(r"^    -.*I hope that", text_diff, re.M), section
        assert re.search(r"^    \+.*I trust that", text_diff, re.M), section
        assert re.search(r"page 1: \d+\.\d\d% of pixels changed", section), section

    update = _check(project, "--update")
    assert update.returncode == 0, update.stdout + update.stderr
    updated = re.findall(r"^  updated (\d{4}/[a-z0-9-]+): (.*)$", update.stdout, re.M)
    assert {name for name, _ in updated} == changed
    for _, files in updated:
        assert {"letter.html", "pdf-text.txt", "pdf.sha256", "page-1.png"} <= set(files.split(", "))
    assert _check(project).returncode == 0

    template.write_text(original, encoding="utf-8")
    assert _check(project, "--update").returncode == 0
    assert _snapshot(project / "golden") == goldens_before


def test_a_changed_figure_fails_only_its_case_and_marks_the_statistics_page(
    project: Path,
) -> None:
    record = project / "data" / "2020" / "councils" / "harborough.yaml"
    record.write_text(
        record.read_text().replace("investigations: 2\n", "investigations: 3\n"), encoding="utf-8"
    )
    result = _check(project)
    assert result.returncode == 1
    statuses = _statuses(result.stdout)
    assert {n for n, s in statuses.items() if s != "ok"} == {"2020/harborough"}, result.stdout
    text_diff = result.stdout.split("PDF text differs:")[1]
    # The figure has a line of its own, above "of complaints we investigated were upheld."
    assert re.search(r"^    -100%$", text_diff, re.M), result.stdout
    assert re.search(r"^    \+67%$", text_diff, re.M), result.stdout

    pages = len(list((project / "golden" / "2020" / "harborough").glob("page-*.png")))
    diff_dir = project / "output" / "golden-diff" / "2020" / "harborough"
    assert [p.name for p in diff_dir.iterdir()] == [f"page-{pages}.png"]  # the statistics page
    assert re.search(rf"^  page {pages}: \d+\.\d\d% of pixels changed", result.stdout, re.M)
    assert not re.search(r"^  page [12]:", result.stdout, re.M)
    # The third panel of the diff image marks changed pixels in red.
    image = Image.open(diff_dir / f"page-{pages}.png").convert("RGB")
    third = image.crop((image.width * 2 // 3, 0, image.width, image.height))
    assert (220, 0, 40) in {colour for _, colour in third.getcolors(1 << 16)}


def test_a_case_without_golden_files_is_new_never_passed(project: Path) -> None:
    source = project / "cases" / "2021" / "councils" / "every-singular.yaml"
    shutil.copy(source, source.with_name("another-case.yaml"))
    text = source.with_name("another-case.yaml").read_text()
    source.with_name("another-case.yaml").write_text(text.replace("Oneacre", "Twoacre"))
    result = _check(project, "2021")
    assert result.returncode == 1
    assert _statuses(result.stdout)["2021/another-case"] == "NEW"

    assert _check(project, "2021", "--update").returncode == 0
    assert (project / "golden" / "2021" / "another-case" / "pdf.sha256").is_file()
    assert _check(project, "2021").returncode == 0


def test_golden_files_without_a_case_are_reported_and_removed_by_update(project: Path) -> None:
    (project / "cases" / "2021" / "councils" / "every-singular.yaml").unlink()
    result = _check(project, "2021")
    assert result.returncode == 1
    assert _statuses(result.stdout)["2021/every-singular"] == "GONE"
    assert _check(project, "2021", "--update").returncode == 0
    assert not (project / "golden" / "2021" / "every-singular").exists()


def test_an_invalid_edge_case_record_fails_the_check(project: Path) -> None:
    record = project / "cases" / "2020" / "councils" / "every-singular.yaml"
    record.write_text(record.read_text() + "late_remedies: 1\n", encoding="utf-8")
    result = _check(project, "2020")
    assert result.returncode == 1
    assert "every-singular.yaml" in result.stderr and "late_remedies" in result.stderr


def test_a_template_error_fails_each_case_naming_the_template_line(project: Path) -> None:
    template = project / "templates" / "2020" / "letter.html.j2"
    text = template.read_text(encoding="utf-8")
    template.write_text(
        text.replace("{% block sections %}", "{% block sections %}{{ letter.no_such.thing }}"),
        encoding="utf-8",
    )
    result = _check(project, "2020", "--update")
    assert result.returncode == 1
    assert set(_statuses(result.stdout).values()) == {"ERROR"}
    assert "letter.html.j2:" in result.stdout and "no_such" in result.stdout


def test_a_missing_golden_page_is_a_change_even_when_the_sha256_matches(project: Path) -> None:
    (project / "golden" / "2021" / "dartford" / "page-2.png").unlink()
    result = _check(project, "2021")
    assert result.returncode == 1
    assert _statuses(result.stdout) == {"2021/dartford": "CHANGED", "2021/every-singular": "ok"}
    assert re.search(r"^  page 2: 100\.00% of pixels changed", result.stdout, re.M)
