"""Files and folders that are missing, misnamed, doubled or unreadable; paths that try to
leave the data and output folders; templates with faults."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.errorcases import bound_by_permissions, invoke, run_process
from tests.helpers import year_without_templates
from tests.records import VALID_COUNCIL, write_council

COUNCILS_2020 = {"ashfield", "dacorum", "harborough", "worcester"}


def built(project: Path, year: int = 2020) -> set[str]:
    folder = project / "output" / str(year)
    return {p.stem for p in folder.glob("*.html")} if folder.is_dir() else set()


def test_a_missing_year_file(in_project: Path) -> None:
    (in_project / "data/2021/year.yaml").unlink()
    run = invoke("build", "2021", "--format", "html")
    assert run.code == 1
    assert run.problems() == ["data/2021/year.yaml: the year's file is missing"]
    assert built(in_project, 2021) == set()


def test_a_year_with_records_but_no_template_exits_2(in_project: Path) -> None:
    year = year_without_templates(in_project)
    shutil.copytree(in_project / "data/2021", in_project / f"data/{year}")
    for command in (["build", str(year)], ["validate"]):
        run = invoke(*command)
        assert run.code == 2
        assert run.stderr == (
            f"error: templates/{year}/letter.html.j2: there is no letter template for {year}\n"
        )
    assert not (in_project / "output").exists()


def test_an_unknown_year_exits_2(in_project: Path) -> None:
    run = invoke("build", "2019")
    assert (run.code, run.stderr) == (
        2,
        "error: unknown year 2019: no folder data/2019 (years: 2020, 2021)\n",
    )


@pytest.mark.parametrize(
    "name",
    [
        "Dartford.yaml",
        "dart ford.yaml",
        "dartford_bc.yaml",
        "dartford.yml",
        "dartford.YAML",
        "-dartford.yaml",
        "dartford--bc.yaml",
    ],
)
def test_a_file_name_that_is_not_a_slug(in_project: Path, name: str) -> None:
    (in_project / "data/2021/councils/dartford.yaml").rename(
        in_project / "data/2021/councils" / name
    )
    run = invoke("build", "2021", "--format", "html")
    assert run.code == 1
    assert run.problems() == [
        f"data/2021/councils/{name}: '{name}' is not a valid file name: use lower-case "
        "letters, digits and single hyphens, ending in .yaml, e.g. harborough.yaml"
    ]
    assert built(in_project, 2021) == set()


def test_hidden_and_other_files_in_the_councils_folder_are_ignored(in_project: Path) -> None:
    councils = in_project / "data/2021/councils"
    (councils / ".dartford.yaml.swp").write_bytes(b"\x00\xff")
    (councils / "README.md").write_text("notes")
    run = invoke("validate", "2021")
    assert (run.code, run.problems()) == (0, [])


def test_two_files_for_the_same_council_build_neither(in_project: Path) -> None:
    # The same name up to case and spacing: dacorum.yaml says "Dacorum Borough Council".
    write_council(
        in_project,
        "dacorum-bc",
        VALID_COUNCIL.replace("Dartford Borough Council", "Dacorum  borough council").replace(
            "  investigations: 4", "  investigations: 9"
        ),
        year=2020,
    )
    run = invoke("build", "2020", "--format", "html")
    assert run.code == 1
    assert run.problems() == [
        "data/2020/councils/dacorum-bc.yaml:1:1: name: 'Dacorum  borough council' also has a "
        "record in data/2020/councils/dacorum.yaml: keep one file per council (neither letter "
        "is built until then)",
        "data/2020/councils/dacorum.yaml:4:1: name: 'Dacorum Borough Council' also has a "
        "record in data/2020/councils/dacorum-bc.yaml: keep one file per council (neither "
        "letter is built until then)",
    ]
    assert built(in_project) == COUNCILS_2020 - {"dacorum"}


@pytest.mark.parametrize("remove_folder", [False, True])
def test_no_council_records(in_project: Path, remove_folder: bool) -> None:
    councils = in_project / "data/2021/councils"
    shutil.rmtree(councils)
    if not remove_folder:
        councils.mkdir()
    run = invoke("validate", "2021")
    assert run.code == 1
    assert run.problems() == ["data/2021/councils: no council records (*.yaml) found"]


@pytest.mark.slow  # a child process without the right to read every file
def test_an_unreadable_file(project: Path) -> None:
    (project / "data/2020/councils/dacorum.yaml").chmod(0o000)
    run = run_process(
        "build", "2020", "--format", "html", cwd=project, preexec=bound_by_permissions()
    )
    assert run.code == 1
    assert run.problems() == [
        "data/2020/councils/dacorum.yaml: cannot read the file: Permission denied"
    ]
    assert built(project) == COUNCILS_2020 - {"dacorum"}


def test_a_dangling_link_and_a_folder_named_like_a_record(in_project: Path) -> None:
    councils = in_project / "data/2020/councils"
    (councils / "dacorum.yaml").unlink()
    os.symlink("nowhere.yaml", councils / "dacorum.yaml")
    (councils / "bexley.yaml").mkdir()
    run = invoke("build", "2020", "--format", "html")
    assert run.code == 1
    assert run.problems() == [
        "data/2020/councils/bexley.yaml: cannot read the file: Is a directory",
        "data/2020/councils/dacorum.yaml: cannot read the file: No such file or directory",
    ]
    assert built(in_project) == COUNCILS_2020 - {"dacorum"}


@pytest.mark.parametrize(
    "slug",
    ["../../etc", "../2020/ashfield", "dartford/../../x", "/etc/passwd", "..", "a\\b"],
)
def test_a_slug_that_is_a_path_is_refused(in_project: Path, slug: str) -> None:
    before = sorted(in_project.parent.iterdir())
    for command in (["build", "2021", "--only", slug], ["preview", "2021", slug]):
        run = invoke(*command)
        assert run.code == 2
        assert run.stderr == (
            f"error: '{slug}' is not a council slug "
            "(lower-case letters, digits and single hyphens)\n"
        )
    assert not (in_project / "output").exists()
    assert sorted(in_project.parent.iterdir()) == before


def test_a_signature_image_outside_the_data_folder_is_refused(in_project: Path) -> None:
    year_file = in_project / "data/2021/year.yaml"
    year_file.write_text(year_file.read_text() + "signature_image: ../../../../etc/passwd\n")
    run = invoke("build", "2021", "--format", "html")
    assert run.code == 1
    assert run.problems() == [
        "data/2021/year.yaml:10:1: signature_image: must be a file inside data"
    ]
    assert built(in_project, 2021) == set()


def _edit_template(project: Path, name: str, old: str, new: str) -> None:
    template = project / "templates" / name
    text = template.read_text()
    assert old in text
    template.write_text(text.replace(old, new, 1))


def test_an_undefined_template_variable_names_the_file_and_line(in_project: Path) -> None:
    _edit_template(
        in_project,
        "2021/letter.html.j2",
        "{% block opening %}\n",
        "{% block opening %}\n{{ letter.councill.name }}\n",
    )
    run = invoke("build", "2021", "--format", "html")
    assert run.code == 1
    assert (
        "dartford: templates/2021/letter.html.j2:11: 'lgo_letters.context.letter."
        "LetterContext object' has no attribute 'councill'" in run.stderr
    )
    assert built(in_project, 2021) == set()


def test_a_template_syntax_error_names_the_file_and_line(in_project: Path) -> None:
    _edit_template(in_project, "base.html.j2", "<h1>", "<h1>{{ letter.year + }}")
    line = (in_project / "templates/base.html.j2").read_text().split("<h1>")[0].count("\n") + 1
    run = invoke("build", "2020", "--format", "html")
    assert run.code == 1
    # Said once for the year's four letters, not once a letter.
    message = (
        f"ashfield, dacorum, harborough and worcester: templates/base.html.j2:{line}: "
        "template syntax error: unexpected 'end of print statement'"
    )
    assert message in run.stderr.splitlines()
    assert run.stderr.count("template syntax error") == 1
    assert "failed: ashfield, dacorum, harborough and worcester" in run.stderr.splitlines()
    assert built(in_project) == set()


def test_a_missing_stylesheet_is_a_clear_error(in_project: Path) -> None:
    (in_project / "templates/static/letter.css").unlink()
    run = invoke("build", "2021", "--format", "html")
    assert run.code == 1
    assert "dartford: templates/static/letter.css: No such file or directory" in run.stderr


def test_a_format_file_is_validated_like_a_record(
    tmp_path: Path, new_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    new_project(data=None)
    write_council(tmp_path, "dartford", VALID_COUNCIL)
    (tmp_path / "data/2021/year.yaml").write_text(
        "letter_date: 2021-07-21\npublication_date: 2021-07-28\n"
    )
    (tmp_path / "templates/2021/format.yaml").write_text(
        "statistics:\n  upheld: {type: count, at_most: investigatons}\n"
        "fields:\n  late_remedies: {type: number}\n  name: {type: text}\nwidth: 3\n"
    )
    monkeypatch.chdir(tmp_path)
    run = invoke("build", "2021", "--format", "html")
    assert run.code == 2
    assert run.stderr.splitlines() == [
        "error: templates/2021/format.yaml:4:19: fields.late_remedies.type: must be one of "
        "count, text, paragraphs, flag, date, not 'number'",
        "templates/2021/format.yaml:6:1: width: unknown field (allowed: statistics, fields, "
        "averages, facts)",
    ]
