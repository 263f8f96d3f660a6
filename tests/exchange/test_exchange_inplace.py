"""`import` changes a record's text in place: the usual edits are spliced into it
(lgo_letters/exchange/inplace.py) exactly as ruamel.yaml's round trip would write them, and
everything else is left to that round trip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lgo_letters.exchange.inplace import edit_in_place, reads_as
from lgo_letters.exchange.records import record_order, rewrite
from lgo_letters.schema.loader import load_year_format
from lgo_letters.schema.yaml_reader import parse_yaml
from tests.helpers import REPO

# Where a new key goes: 2021's format (its statistics in its order).
_ORDER = record_order(load_year_format(REPO / "templates", 2021).declared)

HAND_WRITTEN = """\
# Figures checked with the link officer, 2 July.
name: "Dartford Borough Council"   # as on the council's letterhead
type: district
recipients: [Mrs Martin]
role: 'Director of Corporate Services and Chief Officer'
# contacts below
statistics:
  investigations: 4   # one late addition
  upheld: 3
  satisfactory_remedies: 0
  compliance_outcomes: 3
  complied: 3
late_remedies: 2
late_remedies_detail: >-
  We recognise in one of those cases the Council could not provide the personal remedy
  within the timescale we requested.
comments:
  - A bespoke paragraph, written by hand; keep it.
draft: true
"""

BLOCK = """\
name: London Borough of Bexley
type: london
recipients:
- Ms Example
- Mr Other
role: Chief Executive
email: ce@bexley.example.org
cc: [a@bexley.example.org]
statistics:
  investigations: 8
  upheld: 5
  satisfactory_remedies: 1
  compliance_outcomes: 4
  complied: 4
"""

Edits = list[tuple[str, Any]]

AS_RUAMEL_WRITES: dict[str, tuple[str, Edits]] = {
    "counts, a comment keeping its column": (
        HAND_WRITTEN,
        [("statistics.investigations", 10), ("statistics.upheld", 1234567)],
    ),
    "a new key after a comment line, before the key it precedes": (
        HAND_WRITTEN,
        [("code", "E07000107"), ("email", ["ce@dartford.example.org"])],
    ),
    "quoted text keeps its quotes": (
        HAND_WRITTEN,
        [("name", "Dartford Council"), ("role", "Chief Executive")],
    ),
    "a flow list stays a flow list": (HAND_WRITTEN, [("recipients", ["Ms A", "Mr B"])]),
    "two addresses where there were none": (
        HAND_WRITTEN,
        [("email", ["a@d.example.org", "b@d.example.org"])],
    ),
    "a block list stays a block list": (BLOCK, [("recipients", ["Ms Jane Doe"])]),
    "one address for one address, two in a flow list": (
        BLOCK,
        [("email", ["x@bexley.example.org"]), ("cc", ["b@bexley.example.org", "c@b.example"])],
    ),
    "two addresses for one": (BLOCK, [("email", ["a@b.example", "c@d.example"])]),
    "new keys at the end of a mapping and of the record": (
        BLOCK,
        [("statistics.remedies_on_time", 3), ("checked", "x"), ("draft", True)],
    ),
    "new keys the format does not list, in the edits' order": (
        BLOCK,
        [("statistics.b_count", 3), ("statistics.a_count", 1), ("zeta", "z"), ("alpha", "a")],
    ),
    "a new statistic before a key after statistics": (
        HAND_WRITTEN,
        [("statistics.remedies_on_time", 3), ("training_courses", 2)],
    ),
    **{
        f"text {text!r}": (BLOCK, [("role", text)])
        for text in (
            '"Acting" Chief Executive',
            "'Interim' Director",
            "Director: Place: Growth",
            "O'Brien & Co, Ltd (x) / y @ z - w",
            "@x",
            "[a",
            "*",
            "- x",
            "yes",
            "No",
            "2021-07-01",
            "0o17",
            "1e3",
            "~",
            "{a: b}",
            "# not a comment",
            "=Director",
            "Directeur Général",
            "Chief Executive 😀",
            "Ynys Môn",
            "x" * 300,
        )
    },
    **{
        f"list item {text!r}": (BLOCK, [("recipients", [text, "Mr B"]), ("cc", [text])])
        for text in ("Smith, Jones", "a: b", "[x]", "O'Brien", "yes", "10 Downing Street")
    },
}


@pytest.mark.parametrize("case", AS_RUAMEL_WRITES)
def test_usual_edits_are_spliced_as_ruamel_writes_them(tmp_path: Path, case: str) -> None:
    text, edits = AS_RUAMEL_WRITES[case]
    file = tmp_path / "record.yaml"
    file.write_text(text, encoding="utf-8")
    spliced = edit_in_place(text, edits, _ORDER)
    assert spliced is not None
    assert spliced == rewrite(file, edits, _ORDER)


# Where ruamel's round trip changes bytes no edit asked for, the splices keep them.
KEPT: list[tuple[str, Edits, str]] = [
    (  # trailing spaces and blank lines at the end
        "name: x   \nrole: r\n\n\n",
        [("role", "s")],
        "name: x   \nrole: s\n\n\n",
    ),
    ("---\nname: x\nrole: r\n", [("role", "s")], "---\nname: x\nrole: s\n"),
    (  # statistics indented by four
        "name: x\nstatistics:\n    upheld: 3\n",
        [("statistics.upheld", 5), ("statistics.complied", 5)],
        "name: x\nstatistics:\n    upheld: 5\n    complied: 5\n",
    ),
    (  # another block list in its own style (ruamel's guess would re-indent one of them)
        "recipients:\n  - A\nrole: r\ncomments:\n- x\n",
        [("recipients", ["C D", "E"])],
        "recipients:\n  - C D\n  - E\nrole: r\ncomments:\n- x\n",
    ),
    (  # a new statistic goes after the last one, not after the blank line
        "statistics:\n  upheld: 1\n\nrole: r\n",
        [("statistics.complied", 1)],
        "statistics:\n  upheld: 1\n  complied: 1\n\nrole: r\n",
    ),
]


@pytest.mark.parametrize(("text", "edits", "expected"), KEPT)
def test_bytes_no_edit_asked_for_are_kept(text: str, edits: Edits, expected: str) -> None:
    assert edit_in_place(text, edits, _ORDER) == expected


LEFT_TO_RUAMEL: dict[str, tuple[str, Edits]] = {
    "a folded paragraph": (HAND_WRITTEN, [("late_remedies_detail", "New text")]),
    "a new block list": (BLOCK, [("comments", ["A paragraph."])]),
    "a mapping not there yet": ("name: x\nrole: r\n", [("statistics.upheld", 1)]),
    "a flow mapping": ("name: x\nstatistics: {upheld: 1}\n", [("statistics.upheld", 2)]),
    "Windows line ends": ("name: x\r\nrole: r\r\n", [("role", "s")]),
    "a tab": ("name: x\t\nrole: r\n", [("role", "s")]),
    "no line end at the end": ("name: x\nrole: r", [("role", "s")]),
    "a list item with a comment": ("recipients:\n- A  # c\n- B\n", [("recipients", ["C"])]),
    "a comment between list items": ("recipients:\n- A\n# c\n- B\n", [("recipients", ["C"])]),
    "a key with no value": ("name: x\nemail:\nrole: r\n", [("email", ["a@b.example"])]),
    "a new key after a folded paragraph": (
        "name: x\nlate_remedies_detail: >-\n  text\n",
        [("draft", True)],
    ),
    "text with a control character": (BLOCK, [("role", "Chief\x1bExec")]),
    "not a mapping": ("- a\n- b\n", [("role", "s")]),
    "not YAML": ("name: [x\n", [("role", "s")]),
}


@pytest.mark.parametrize("case", LEFT_TO_RUAMEL)
def test_other_edits_are_left_to_ruamel(case: str) -> None:
    text, edits = LEFT_TO_RUAMEL[case]
    assert edit_in_place(text, edits, _ORDER) is None


def _read(text: str) -> Any:
    return parse_yaml(Path("record.yaml"), text).data


@settings(max_examples=300, deadline=None)
@given(
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp")), min_size=1)
)
def test_any_printable_text_is_spliced_so_the_reader_reads_it_back(text: str) -> None:
    if not text.isprintable() or len(text) > 1000:
        return
    spliced = edit_in_place(BLOCK, [("role", text), ("recipients", [text, "Mr B"])], _ORDER)
    assert spliced is not None  # never left to ruamel for want of quoting
    data = _read(spliced)
    assert type(data["role"]) is str and data["role"] == text
    assert [type(v) for v in data["recipients"]] == [str, str]
    assert data["recipients"] == [text, "Mr B"]

    def others(record: str) -> list[str]:
        return [line for line in record.splitlines() if not line.startswith(("role:", "- "))]

    assert others(spliced) == others(BLOCK)


def test_reads_as_is_exact() -> None:
    assert reads_as({"a": 1, "b": ["x"]}, {"a": 1, "b": ["x"]})
    assert not reads_as({"a": True}, {"a": 1})  # 1 == True in Python, not in a record
    assert not reads_as({"a": "1"}, {"a": 1})
    assert not reads_as({"a": 1, "b": 2}, {"a": 1})
    assert not reads_as({"d": "2021-07-01"}, {"d": dt.date(2021, 7, 1)})
    assert reads_as({"email": "a@b.example"}, {"email": ["a@b.example"]})
    assert not reads_as({"recipients": "A"}, {"recipients": ["A"]})
    assert not reads_as({"s": {"email": "a@b.example"}}, {"s": {"email": ["a@b.example"]}})
