"""`lgo-letters build`: incremental rebuilds, the manifest, stale letters, failure isolation
and plain progress output, on the real 2020 records (the combined PDF: test_build_combined)."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest

from tests.build_checks import assert_consistent, counts, manifest
from tests.helpers import run_cli

# Slow: whole builds of a year, PDFs included, with the real command.
pytestmark = pytest.mark.slow

SLUGS = {"ashfield", "dacorum", "harborough", "worcester"}


def build(project: Path, *options: str):
    return run_cli("build", "2020", "--jobs", "2", *options, cwd=project)


def mtimes(out_year: Path) -> dict[str, int]:
    return {f.name: f.stat().st_mtime_ns for f in out_year.glob("*.*") if f.suffix != ".lock"}


def test_manifest_then_unchanged_then_only_what_changed(project: Path) -> None:
    out_year = project / "output" / "2020"
    first = build(project)
    assert first.returncode == 0, first.stderr
    assert counts(first.stderr) == (4, 0, 0)
    # off a terminal: one plain line per letter
    assert (
        sum(line.startswith("[") and " built " in line for line in first.stderr.splitlines()) == 4
    )
    data = assert_consistent(out_year)
    assert set(data["councils"]) == SLUGS
    assert set(data["councils"]["dacorum"]["files"]) == {"dacorum.html", "dacorum.pdf"}
    assert data["councils"]["dacorum"]["files"]["dacorum.pdf"]["pages"] == 3
    # one council a line, in slug order, so a diff of two manifests shows what changed
    lines = (out_year / "manifest.json").read_text().splitlines()
    start = lines.index(' "councils": {') + 1
    council_lines = lines[start : lines.index(" },", start)]
    assert [line.split('"')[1] for line in council_lines] == sorted(SLUGS)
    assert all('"files": {' in line for line in council_lines)

    before = mtimes(out_year)
    again = build(project)
    assert again.returncode == 0, again.stderr
    assert counts(again.stderr) == (0, 4, 0)
    assert {k: v for k, v in mtimes(out_year).items() if k != "manifest.json"} == {
        k: v for k, v in before.items() if k != "manifest.json"
    }

    record = project / "data" / "2020" / "councils" / "worcester.yaml"
    record.write_text(record.read_text().replace("upheld: 3", "upheld: 2"))
    changed = build(project)
    assert counts(changed.stderr) == (1, 3, 0), changed.stderr
    assert "built worcester" in changed.stderr
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(out_year / "worcester.pdf").pages)
    assert "33% of complaints we investigated were upheld" in " ".join(text.split())

    # A comment in a record changes no letter; the stylesheet changes every letter.
    record.write_text(record.read_text() + "# checked\n")
    assert counts(build(project).stderr) == (0, 4, 0)
    css = project / "templates" / "static" / "letter.css"
    css.write_text(css.read_text() + "\n.unused-rule { color: red; }\n")
    assert counts(build(project).stderr) == (4, 0, 0)
    assert counts(build(project, "--force").stderr) == (4, 0, 0)
    # A PDF deleted or replaced behind the build's back is rebuilt.
    (out_year / "ashfield.pdf").write_bytes(b"not a pdf")
    (out_year / "dacorum.pdf").unlink()
    assert counts(build(project).stderr) == (2, 2, 0)
    assert_consistent(out_year)


def test_stale_letters_reported_then_cleaned(project: Path) -> None:
    out_year = project / "output" / "2020"
    assert build(project).returncode == 0
    (project / "data" / "2020" / "councils" / "ashfield.yaml").unlink()
    stale = build(project)
    assert stale.returncode == 0, stale.stderr
    assert "stale: 1 letter(s) of councils no longer in the data (ashfield)" in stale.stderr
    assert (out_year / "ashfield.pdf").exists()
    cleaned = build(project, "--clean")
    assert "removed 2 file(s)" in cleaned.stderr
    assert not (out_year / "ashfield.pdf").exists()
    assert not (out_year / "ashfield.html").exists()
    assert "ashfield" not in manifest(out_year)["councils"]
    assert "stale" not in build(project).stderr


def test_a_bad_record_or_failing_template_stops_only_its_letter(project: Path) -> None:
    out_year = project / "output" / "2020"
    assert build(project).returncode == 0
    old_dacorum = (out_year / "dacorum.pdf").read_bytes()
    record = project / "data" / "2020" / "councils" / "dacorum.yaml"
    record.write_text(record.read_text().replace("upheld: 7", "upheld: 70"))
    # a template fault that only Worcester's letter reaches
    template = project / "templates" / "2020" / "letter.html.j2"
    text = template.read_text()
    end = text.rindex("{% endblock %}")
    template.write_text(
        text[:end]
        + (
            '{% if letter.council.name == "Worcester City Council" %}{{ no_such_thing }}'
            "{% endif %}\n"
        )
        + text[end:]
    )
    result = build(project)
    assert result.returncode == 1
    assert counts(result.stderr) == (0, 2, 2)  # the others: no change to their letters
    assert "dacorum.yaml:10" in result.stderr and "statistics.upheld" in result.stderr
    assert "worcester: templates/2020/letter.html.j2:" in result.stderr
    assert "no_such_thing" in result.stderr
    # the failed letters keep their last good output
    assert (out_year / "dacorum.pdf").read_bytes() == old_dacorum
    assert_consistent(out_year)


def test_a_fault_every_letter_shares_is_reported_once(tmp_path: Path) -> None:
    from tests.synthetic import YEAR, make_project

    project = make_project(tmp_path, 12)
    base = project / "templates" / "base.html.j2"
    base.write_text(base.read_text().replace("<h1>", "<h1>{% if %}"))
    result = run_cli("build", str(YEAR), "--format", "html", cwd=project)
    assert result.returncode == 1
    assert counts(result.stderr) == (0, 0, 12)
    lines = result.stderr.splitlines()
    syntax = [line for line in lines if "template syntax error" in line]
    assert len(syntax) == 1, result.stderr
    assert syntax[0].startswith(
        "ashby-1-district-council, barnfield-1-district-council, carrow-1-district-council "
        "and 9 more letters: templates/base.html.j2:"
    ), syntax[0]
    failed = next(line for line in lines if line.startswith("failed: "))
    assert failed.count("-council") == 12  # up to 20 are named
