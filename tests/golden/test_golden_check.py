"""`lgo-letters check`, run as a user would, on temporary copies of the project.

These tests make their own golden files from the copy, so they hold whatever the letters
look like today; test_golden.py is the one that holds the committed golden files.

The copy: the tests' own councils and one edge case a year; in 2020 Harborough is a sample
council (a full record, with pictures of its pages) and Ashfield, Dacorum and Worcester keep
brief records (text and sha256); in 2021 Dartford is a sample.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers import run_cli
from tests.projects import make_project

# Slow: `lgo-letters check` in child processes, rendering every case's PDF and pages.
pytestmark = pytest.mark.slow

SENTENCE = "So, I hope that this feedback, which provides unique insight"
EDITED = "So, I trust that this feedback, which provides unique insight"
# One edge case a year goes through the same path as the councils in data/.
EDGE_CASES = ("2020/every-singular", "2021/every-singular")
SAMPLES = {2020: ["harborough"], 2021: ["dartford"]}
BRIEF = ("2020/ashfield", "2020/dacorum", "2020/worcester")


def _check(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "check",
        *args,
        "--data",
        str(project / "data"),
        "--templates",
        str(project / "templates"),
        "--out",
        str(project / "output"),
    )


def _statuses(stdout: str) -> dict[str, str]:
    """Case name → status word, from the check's report."""
    return dict(
        (m.group(2), m.group(1))
        for m in re.finditer(r"^(ok|NEW|CHANGED|GONE|ERROR) +(\d{4}/[a-z0-9-]+)", stdout, re.M)
    )


def _section(stdout: str, name: str) -> str:
    """The report of one case: from its status line to the next case's."""
    start = re.search(rf"^\S+ +{re.escape(name)}\b.*$", stdout, re.M)
    assert start, stdout
    following = re.search(r"^(ok|NEW|CHANGED|GONE|ERROR) ", stdout[start.end() :], re.M)
    return stdout[start.start() : start.end() + (following.start() if following else len(stdout))]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _golden(project: Path, year: int) -> Path:
    return project / "data" / str(year) / "golden"


@pytest.fixture(scope="module")
def golden_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Data, templates, one edge case a year and two sample councils, with golden files
    written by `check --update`."""
    root = make_project(tmp_path_factory.mktemp("golden-project"))
    for year, samples in SAMPLES.items():
        cases = _golden(root, year) / "cases"
        kept = {name.split("/")[1] for name in EDGE_CASES if name.startswith(f"{year}/")}
        for record in cases.glob("*.yaml"):
            if record.stem not in kept:
                record.unlink()
        (_golden(root, year) / "settings.yaml").write_text(f"sample_councils: {samples}\n")
    result = _check(root, "--update")
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(_statuses(result.stdout).values()) == {"NEW"}, result.stdout
    return root


@pytest.fixture
def project(golden_project: Path, tmp_path: Path) -> Path:
    """A fresh copy of the project and its golden files, for one test to change."""
    shutil.copytree(golden_project, tmp_path / "project")
    return tmp_path / "project"


def test_the_golden_files_are_in_the_years_data_folder_brief_or_full(project: Path) -> None:
    golden = _golden(project, 2020)
    assert sorted(p.name for p in golden.iterdir()) == [
        "ashfield.txt", "cases", "dacorum.txt", "every-singular", "harborough",
        "settings.yaml", "worcester.txt",
    ]  # fmt: skip
    assert {p.name for p in (golden / "harborough").iterdir()} >= {
        "letter.html", "pdf-text.txt", "pdf.sha256", "page-1.png", "page-3.png",
    }  # fmt: skip
    # A brief record: the PDF's sha256, a blank line, then the letter one sentence a line.
    lines = (golden / "dacorum.txt").read_text(encoding="utf-8").splitlines()
    assert re.fullmatch(r"pdf sha256: [0-9a-f]{64}", lines[0]) and lines[1] == ""
    assert "Dear Ms Marshall" in lines
    assert (
        "This year, we continue to place our focus on the outcomes of complaints and what can "
        "be learned from them." in lines
    )
    assert sorted(p.name for p in _golden(project, 2021).iterdir()) == [
        "cases", "dartford", "every-singular", "settings.yaml",
    ]  # fmt: skip


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
    goldens_before = _snapshot(project / "data")
    template.write_text(original.replace(SENTENCE, EDITED), encoding="utf-8")

    result = _check(project)
    assert result.returncode == 1
    statuses = _statuses(result.stdout)
    changed = {name for name, status in statuses.items() if status == "CHANGED"}
    assert changed == {name for name in statuses if name.startswith("2020/")}
    assert {statuses[name] for name in statuses if name.startswith("2021/")} == {"ok"}
    for name in changed:
        section = _section(result.stdout, name)
        if name in BRIEF:
            # A brief record: the sentence, old and new, and the new PDF to look at.
            assert "\n    -So, I hope that this feedback" in section, section
            assert "\n    +So, I trust that this feedback" in section, section
            new_pdf = project / "output" / "golden-diff" / f"{name}.pdf"
            assert f"PDF differs from its sha256 (its text does too); the new PDF: {new_pdf}" in (
                section
            )
            assert new_pdf.read_bytes().startswith(b"%PDF-")
            continue
        # A full record: the sentence in its HTML and PDF-text diffs, and its first page.
        html_diff, text_diff = section.split("PDF text differs:")
        assert "\n    -So, I hope that this feedback" in html_diff, section
        assert "\n    +So, I trust that this feedback" in html_diff, section
        assert re.search(r"^    -.*I hope that", text_diff, re.M), section
        assert re.search(r"^    \+.*I trust that", text_diff, re.M), section
        assert re.search(r"page 1: \d+\.\d\d% of pixels changed", section), section

    update = _check(project, "--update")
    assert update.returncode == 0, update.stdout + update.stderr
    updated = dict(re.findall(r"^  updated (\d{4}/[a-z0-9-]+): (.*)$", update.stdout, re.M))
    assert set(updated) == changed
    for name, files in updated.items():
        if name in BRIEF:
            assert files == f"{name.split('/')[1]}.txt"
        else:
            expected = {"letter.html", "pdf-text.txt", "pdf.sha256", "page-1.png"}
            assert expected <= set(files.split(", "))
    assert _check(project).returncode == 0

    template.write_text(original, encoding="utf-8")
    assert _check(project, "--update").returncode == 0
    assert _snapshot(project / "data") == goldens_before


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

    pages = len(list((_golden(project, 2020) / "harborough").glob("page-*.png")))
    diff_dir = project / "output" / "golden-diff" / "2020" / "harborough"
    assert [p.name for p in diff_dir.iterdir()] == [f"page-{pages}.png"]  # the statistics page
    assert re.search(rf"^  page {pages}: \d+\.\d\d% of pixels changed", result.stdout, re.M)
    assert not re.search(r"^  page [12]:", result.stdout, re.M)
    # The third panel of the diff image marks changed pixels in red.
    image = Image.open(diff_dir / f"page-{pages}.png").convert("RGB")
    third = image.crop((image.width * 2 // 3, 0, image.width, image.height))
    assert (220, 0, 40) in {colour for _, colour in third.getcolors(1 << 16)}


def test_a_changed_figure_of_a_brief_record_shows_its_sentences(project: Path) -> None:
    record = project / "data" / "2020" / "councils" / "dacorum.yaml"
    record.write_text(record.read_text().replace("upheld: 7\n", "upheld: 6\n"), encoding="utf-8")
    result = _check(project, "2020")
    assert result.returncode == 1
    statuses = _statuses(result.stdout)
    assert {n for n, s in statuses.items() if s != "ok"} == {"2020/dacorum"}, result.stdout
    section = _section(result.stdout, "2020/dacorum")
    assert "  Text differs:\n    --- golden/2020/dacorum.txt\n" in section, section
    assert "\n    -70% of complaints we investigated were upheld.\n" in section, section
    assert "\n    +60% of complaints we investigated were upheld.\n" in section, section
    assert "PDF differs from its sha256 (its text does too)" in section
    update = _check(project, "2020", "--update")
    assert "  updated 2020/dacorum: dacorum.txt" in update.stdout, update.stdout
    assert (
        "\n60% of complaints we investigated were upheld.\n"
        in (_golden(project, 2020) / "dacorum.txt").read_text()
    )


def test_a_pdf_that_differs_with_the_same_text_is_a_change_for_a_brief_record(
    project: Path,
) -> None:
    brief = _golden(project, 2020) / "ashfield.txt"
    text = brief.read_text()
    brief.write_text(re.sub(r"^pdf sha256: [0-9a-f]{64}", "pdf sha256: " + "0" * 64, text))
    result = _check(project, "2020")
    assert result.returncode == 1
    assert _statuses(result.stdout)["2020/ashfield"] == "CHANGED"
    section = _section(result.stdout, "2020/ashfield")
    assert "Text differs" not in section
    assert "PDF differs from its sha256 (its text does not); the new PDF: " in section


def test_a_case_without_golden_files_is_new_never_passed(project: Path) -> None:
    source = _golden(project, 2021) / "cases" / "every-singular.yaml"
    shutil.copy(source, source.with_name("another-case.yaml"))
    text = source.with_name("another-case.yaml").read_text()
    source.with_name("another-case.yaml").write_text(text.replace("Oneacre", "Twoacre"))
    result = _check(project, "2021")
    assert result.returncode == 1
    assert _statuses(result.stdout)["2021/another-case"] == "NEW"

    assert _check(project, "2021", "--update").returncode == 0
    assert (_golden(project, 2021) / "another-case" / "pdf.sha256").is_file()
    assert _check(project, "2021").returncode == 0


def test_golden_files_without_a_case_are_reported_and_removed_by_update(project: Path) -> None:
    (_golden(project, 2021) / "cases" / "every-singular.yaml").unlink()
    (project / "data" / "2020" / "councils" / "worcester.yaml").unlink()
    result = _check(project)
    assert result.returncode == 1
    statuses = _statuses(result.stdout)
    assert statuses["2021/every-singular"] == "GONE" and statuses["2020/worcester"] == "GONE"
    assert _check(project, "--update").returncode == 0
    assert not (_golden(project, 2021) / "every-singular").exists()
    assert not (_golden(project, 2020) / "worcester.txt").exists()
    assert (_golden(project, 2021) / "cases").is_dir()


def test_a_record_with_a_problem_keeps_its_golden_files(project: Path) -> None:
    record = project / "data" / "2020" / "councils" / "ashfield.yaml"
    record.write_text(record.read_text().replace("upheld: ", "upheld: many #"), encoding="utf-8")
    result = _check(project, "2020", "--update")
    assert result.returncode == 1
    assert "ashfield.yaml" in result.stderr and "GONE" not in result.stdout
    assert (_golden(project, 2020) / "ashfield.txt").is_file()


def test_a_sample_council_keeps_pictures_and_going_back_keeps_a_brief_record(
    project: Path,
) -> None:
    settings = _golden(project, 2020) / "settings.yaml"
    settings.write_text("sample_councils: [harborough, dacorum]\n")
    result = _check(project, "2020")
    assert result.returncode == 1
    assert _statuses(result.stdout)["2020/dacorum"] == "NEW"
    update = _check(project, "2020", "--update")
    assert "  updated 2020/dacorum: " in update.stdout and "dacorum.txt (removed)" in update.stdout
    assert (_golden(project, 2020) / "dacorum" / "page-1.png").is_file()
    assert not (_golden(project, 2020) / "dacorum.txt").exists()

    settings.write_text("sample_councils: [harborough]\n")
    update = _check(project, "2020", "--update")
    assert "  updated 2020/dacorum: dacorum.txt, dacorum/ (removed)" in update.stdout
    assert not (_golden(project, 2020) / "dacorum").exists()
    assert _check(project, "2020").returncode == 0


def test_a_sample_council_that_is_not_a_council_is_located(project: Path) -> None:
    settings = _golden(project, 2020) / "settings.yaml"
    settings.write_text("# samples\nsample_councils: [harborough, harbrough, Bad/Name]\n")
    result = _check(project, "2020")
    assert result.returncode == 1
    assert f"{settings}:2:" in result.stderr
    assert "sample_councils" in result.stderr and "'Bad/Name' is not a council's slug" in (
        result.stderr
    )
    settings.write_text("# samples\nsample_councils: [harborough, harbrough]\n")
    result = _check(project, "2020")
    assert result.returncode == 1
    assert (
        f"{settings}:2:31: sample_councils[1]: no council 'harbrough' in "
        f"{project / 'data' / '2020' / 'councils'}" in result.stderr
    )


def test_an_invalid_edge_case_record_fails_the_check(project: Path) -> None:
    record = _golden(project, 2020) / "cases" / "every-singular.yaml"
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
    (_golden(project, 2021) / "dartford" / "page-2.png").unlink()
    result = _check(project, "2021")
    assert result.returncode == 1
    assert _statuses(result.stdout) == {"2021/dartford": "CHANGED", "2021/every-singular": "ok"}
    assert re.search(r"^  page 2: 100\.00% of pixels changed", result.stdout, re.M)


def test_check_writes_only_golden_files_and_output(project: Path) -> None:
    """Nothing outside data/<year>/golden/ and output/ changes, whatever `check` finds."""
    template = project / "templates" / "2021" / "letter.html.j2"
    template.write_text(template.read_text().replace(SENTENCE, EDITED))
    (project / "data" / "2020" / "councils" / "worcester.yaml").unlink()

    def outside(snapshot: dict[str, bytes]) -> dict[str, bytes]:
        return {
            name: content
            for name, content in snapshot.items()
            if not name.startswith("output/") and "/golden/" not in name
        }

    before = _snapshot(project)
    assert _check(project).returncode == 1
    assert _check(project, "--update").returncode == 0
    after = _snapshot(project)
    assert outside(after) == outside(before)
    assert after != before
