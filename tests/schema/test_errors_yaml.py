"""Broken YAML: every fault is a located, plain-English problem; nothing unsafe is loaded."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

import pytest

from lgo_letters.schema import InputError
from lgo_letters.schema.yaml_reader import MAX_FILE_BYTES, read_yaml
from tests.errorcases import invoke
from tests.records import VALID_COUNCIL, write_council

DARTFORD = "data/2021/councils/dartford.yaml"


def validate_dartford(project: Path, text: str | bytes) -> str:
    """Write data/2021/councils/dartford.yaml, run `validate 2021`, return its one problem."""
    write_council(project, "dartford", text)
    run = invoke("validate", "2021")
    assert run.code == 1, run.stderr
    assert "Traceback" not in run.stderr
    return run.problem_for(DARTFORD)


def test_tab_indentation_is_named_with_its_line(in_project: Path) -> None:
    text = VALID_COUNCIL.replace("  investigations", "\tinvestigations")
    assert validate_dartford(in_project, text) == (
        f"{DARTFORD}:6:1: YAML syntax error: a tab character: indent with spaces, never tabs"
    )


def test_unclosed_quote_points_at_the_opening_quote(in_project: Path) -> None:
    text = VALID_COUNCIL.replace("role: Director", 'role: "Director')
    problem = validate_dartford(in_project, text)
    assert problem.startswith(f"{DARTFORD}:4:7: YAML syntax error:")
    assert "quoted value is never closed" in problem


def test_bad_indentation_says_to_check_the_indentation(in_project: Path) -> None:
    text = VALID_COUNCIL.replace("  upheld: 3", "    upheld: 3")
    problem = validate_dartford(in_project, text)
    assert problem.startswith(f"{DARTFORD}:7:")
    assert "indentation" in problem


def test_a_dedented_line_says_to_check_the_indentation(in_project: Path) -> None:
    text = VALID_COUNCIL.replace("  upheld: 3", " upheld: 3")
    assert validate_dartford(in_project, text) == (
        f"{DARTFORD}:7:2: YAML syntax error: this line is not indented like the lines above "
        "it: the keys of one mapping, and the items of one list, must line up exactly"
    )


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(in_project: Path, text: str) -> None:
    assert validate_dartford(in_project, text) == f"{DARTFORD}:1:1: the file is empty"


def test_a_list_where_the_record_mapping_belongs(in_project: Path) -> None:
    problem = validate_dartford(in_project, "- name: Dartford\n- type: district\n")
    assert problem == (
        f"{DARTFORD}:1:1: the file must hold a mapping of keys to values, not a list"
    )


def test_a_list_where_a_nested_mapping_belongs(in_project: Path) -> None:
    text = VALID_COUNCIL.split("statistics:")[0] + "statistics: [4, 3, 0, 3, 3]\n"
    assert validate_dartford(in_project, text) == (
        f"{DARTFORD}:5:1: statistics: must be a mapping of keys to values, not a list"
    )


def test_duplicate_key_names_both_lines(in_project: Path) -> None:
    text = VALID_COUNCIL + "name: Dartford Council\n"
    assert validate_dartford(in_project, text) == (
        f"{DARTFORD}:11:1: name: duplicate key (already given on line 1)"
    )


def test_duplicate_nested_key(in_project: Path) -> None:
    text = VALID_COUNCIL.replace("  complied: 3", "  complied: 3\n  upheld: 2")
    assert validate_dartford(in_project, text) == (
        f"{DARTFORD}:11:3: statistics.upheld: duplicate key (already given on line 7)"
    )


def test_non_utf8_bytes_are_located(in_project: Path) -> None:
    text = VALID_COUNCIL.replace("Mrs Martin", "Mrs Mart\xefn").encode("latin-1")
    assert validate_dartford(in_project, text) == (
        f"{DARTFORD}:3:22: the file is not UTF-8 text (byte 0xef): save it as UTF-8"
    )


def test_a_byte_order_mark_is_accepted(in_project: Path) -> None:
    write_council(in_project, "dartford", b"\xef\xbb\xbf" + VALID_COUNCIL.encode())
    run = invoke("validate", "2021")
    assert (run.code, run.problems()) == (0, [])


def test_a_10_mb_file_is_refused_before_it_is_parsed(in_project: Path) -> None:
    line = "comments: [" + ", ".join(["a comment"] * 20) + "]\n"
    text = VALID_COUNCIL + "# " + line * (10_000_000 // len(line))
    assert len(text) > 10 * MAX_FILE_BYTES - 1000
    assert validate_dartford(in_project, text) == (
        f"{DARTFORD}: the file is larger than 1 MB; a record is a few kilobytes, "
        "so this is not a record file"
    )


def test_a_link_to_an_endless_file_is_refused(in_project: Path) -> None:
    os.symlink("/dev/zero", in_project / "data/2021/councils/dartford.yaml.tmp")
    os.replace(in_project / "data/2021/councils/dartford.yaml.tmp", in_project / DARTFORD)
    run = invoke("validate", "2021")
    # Refused before a byte is read: only regular files are read.
    assert "cannot read the file: it is not a regular file but a device" in run.problem_for(
        DARTFORD
    )


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_an_alias_bomb_is_refused_at_its_first_anchor(in_project: Path) -> None:
    assert validate_dartford(in_project, BILLION_LAUGHS) == (
        f"{DARTFORD}:1:4: YAML anchors and aliases (& and *) are not allowed"
    )


def test_an_alias_bomb_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    file = tmp_path / "bomb.yaml"
    file.write_text(BILLION_LAUGHS)
    tracemalloc.start()
    try:
        with pytest.raises(InputError):
            read_yaml(file)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000  # expanded, it would be 9**9 strings: gigabytes


@pytest.mark.parametrize(
    "value",
    [
        '!!python/object/apply:os.system ["touch pwned"]',
        "!!python/object:collections.OrderedDict {}",
        "!!python/name:os.system",
        "!!binary aGVsbG8=",
        "!!set {a, b}",
        "!custom thing",
    ],
)
def test_tags_are_refused_and_never_run(in_project: Path, value: str) -> None:
    text = VALID_COUNCIL.replace("role: Director of Corporate Services", f"role: {value}")
    problem = validate_dartford(in_project, text)
    assert problem.startswith(f"{DARTFORD}:4:7: role: the tag ")
    assert problem.endswith(" is not allowed here")
    assert not (in_project / "pwned").exists()


def test_a_merge_key_is_refused(in_project: Path) -> None:
    text = VALID_COUNCIL.replace("  investigations: 4", "  <<: {investigations: 4}")
    assert validate_dartford(in_project, text) == (
        f"{DARTFORD}:6:3: statistics: keys must be plain words"
    )


def test_two_documents_in_one_file(in_project: Path) -> None:
    problem = validate_dartford(in_project, VALID_COUNCIL + "---\n" + VALID_COUNCIL)
    assert problem.startswith(f"{DARTFORD}:11:1: YAML syntax error:")


def test_nesting_too_deep_is_a_problem_not_a_crash(in_project: Path) -> None:
    text = VALID_COUNCIL + "comments: " + "[" * 50_000 + "]" * 50_000 + "\n"
    problem = validate_dartford(in_project, text)
    assert problem == f"{DARTFORD}: lists or mappings nested too deeply"


def test_a_date_yaml_cannot_construct_is_located(in_project: Path) -> None:
    year_file = in_project / "data/2021/year.yaml"
    year_file.write_text(year_file.read_text().replace("2021-07-21", "2021-02-30"))
    run = invoke("validate", "2021")
    assert run.code == 1
    assert run.problem_for("data/2021/year.yaml") == (
        "data/2021/year.yaml:1:14: letter_date: '2021-02-30' is not a real date "
        "(day is out of range for month)"
    )
