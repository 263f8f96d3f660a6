"""Properties of every valid record (generated with hypothesis): it loads, it renders with
the real templates, every percentage is 0-100 and rounded half up, every count agrees with
its noun, and no text from the record turns into markup."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from lgo_letters.letter import Letter, make_letter
from lgo_letters.project import Paths, prepare_year
from lgo_letters.renderer.pdf import PdfRenderer
from lgo_letters.schema import AUTHORITY_TYPES, yaml_reader
from lgo_letters.schema.text import font_characters
from tests.errorcases import element_names
from tests.helpers import REPO
from tests.records import council
from tests.textutil import collapse, html_text, pdf_text
from tests.years import year_file

MARKUP = [
    "<script>alert(1)</script>",
    "</p>",
    "<b>",
    "&amp;",
    "&",
    "{{ 7*7 }}",
    "{% include 'base.html.j2' %}",
    "{#",
    '"',
    "'",
    "<!--",
]


def _text(
    alphabet: st.SearchStrategy[str], size: int, markup: list[str] = MARKUP
) -> st.SearchStrategy[str]:
    pieces = st.one_of(st.sampled_from(markup), st.text(alphabet, min_size=1, max_size=size))
    return st.lists(pieces, min_size=1, max_size=4).map(" ".join).filter(lambda s: s.strip() != "")


# Any letter, number, punctuation, symbol or space that the letter's font has (a character
# it lacks is refused by validation: it would bring in a system font).
FONT_CHARACTERS = sorted(
    char
    for char in map(chr, font_characters())
    if unicodedata.category(char)[0] in "LNPS" or unicodedata.category(char) == "Zs"
)
ANY_TEXT = _text(st.sampled_from(FONT_CHARACTERS), 12)
ASCII_TEXT = _text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), 8)
# Text libyaml is given (yaml_reader leaves the characters on which libyaml and PyYAML's
# Python scanner are known to differ to the Python scanner alone).
LIBYAML_TEXT = _text(
    st.characters(
        categories=["L", "N", "P", "S", "Zs"], exclude_characters="\t\ufeff\x85\u2028\u2029!?"
    ),
    12,
    [m for m in MARKUP if not yaml_reader._NOT_FOR_LIBYAML.search(m)],
)


@st.composite
def records(draw: st.DrawFn, text: st.SearchStrategy[str] = ANY_TEXT) -> tuple[int, dict]:
    """(year, council record) that is valid for that year's letter format."""
    year = draw(st.sampled_from([2020, 2021]))
    # Small counts (0, 1, 2 change the wording), any counts, and ones with .5 rates (x/8).
    count = st.integers(0, 3) | st.integers(0, 400) | st.sampled_from([8, 40, 200])
    investigations = draw(count)
    upheld = draw(st.integers(0, investigations))
    outcomes = draw(count)
    complied = draw(st.integers(0, outcomes))
    record: dict[str, Any] = {
        "name": draw(text),
        "type": draw(st.sampled_from(AUTHORITY_TYPES)),
        "recipients": draw(st.lists(text, min_size=1, max_size=3)),
        "role": draw(text),
        "statistics": {
            "investigations": investigations,
            "upheld": upheld,
            "satisfactory_remedies": draw(st.integers(0, upheld)),
            "compliance_outcomes": outcomes,
            "complied": complied,
        },
        "comments": draw(st.lists(text, max_size=2)),
    }
    if draw(st.booleans()):
        record["salutation"] = draw(text)
    if year == 2021:
        record["training_courses"] = draw(st.integers(0, 12))
        late = draw(st.integers(0, complied))
        if late:
            record["late_remedies"] = late
            if draw(st.booleans()):
                record["late_remedies_detail"] = draw(text)
    return year, record


AVERAGES = st.dictionaries(
    st.sampled_from(AUTHORITY_TYPES),
    st.fixed_dictionaries(
        {k: st.integers(0, 100) for k in ("upheld", "compliance", "satisfactory_remedy")}
    ),
)


def render(tmp: Path, year: int, record: dict, averages: dict) -> str:
    """The record, as a year's only council in a user's data folder, made into its letter."""
    councils = tmp / "data" / str(year) / "councils"
    councils.mkdir(parents=True, exist_ok=True)
    (councils.parent / "year.yaml").write_text(
        year_file(year, averages=averages),
        encoding="utf-8",
    )
    file = councils / "council.yaml"
    file.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    # As the year's only council: given averages, or its own pooled ones.
    prepared = prepare_year(Paths(tmp / "data", REPO / "templates"), year)
    letter = make_letter(prepared, "council")
    assert isinstance(letter, Letter), letter
    return letter.html


def half_up(part: int, whole: int) -> int:
    return int((Decimal(100 * part) / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP))


NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
COUNTED_NOUN = re.compile(
    r"\b(\d+|zero|one|two|three|four|five|six|seven|eight|nine) "
    r"(upheld decision|satisfactory remedy decision|detailed investigation|compliance outcome"
    r"|case|online complaint handling course|late remed)(s|y|ies)?\b"
)


# Every element the templates themselves write; record text must add none.
TEMPLATE_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "main",
    "article",
    "header",
    "svg",
    "path",
    "g",
    "p",
    "address",
    "span",
    "h1",
    "h2",
    "h3",
    "section",
    "div",
    "strong",
    "a",
    "ul",
    "li",
    "img",
    "br",
    "rect",
    "polygon",
    "circle",
    "text",
    "defs",
    "use",
}

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# Cases hypothesis may not meet by chance: rates of exactly x.5% (5 of 8 is 63%, 1 of 8 is
# 13%) and every count of one.
ONES_AND_HALVES = (
    2021,
    council(
        name="A",
        recipients=["B"],
        role="C",
        comments=[],
        statistics={
            "investigations": 8,
            "upheld": 5,
            "satisfactory_remedies": 1,
            "compliance_outcomes": 1,
            "complied": 1,
        },
        training_courses=1,
        late_remedies=1,
    ),
)


@SETTINGS
@given(records(), AVERAGES)
@example(ONES_AND_HALVES, {"district": {"upheld": 0, "compliance": 100, "satisfactory_remedy": 50}})
def test_every_valid_record_renders_true_numbers_and_literal_text(
    tmp_path: Path, year_and_record: tuple[int, dict], averages: dict
) -> None:
    year, record = year_and_record
    html = render(tmp_path, year, record, averages)
    text = html_text(html)

    # Percentages: each within 0-100, and the three rates rounded half up from the counts.
    assert all(0 <= int(p) <= 100 for p in re.findall(r"(\d+)%", text))
    s = record["statistics"]
    expected = [
        half_up(part, whole)
        for part, whole in (
            (s["upheld"], s["investigations"]),
            (s["complied"], s["compliance_outcomes"]),
            (s["satisfactory_remedies"], s["upheld"]),
        )
        if whole
    ]
    assert [int(p) for p in re.findall(r'<strong class="percent">(\d+)%</strong>', html)] == (
        expected
    )

    # Counts agree with their nouns: "1 upheld decision", "2 upheld decisions".
    for number, noun, ending in COUNTED_NOUN.findall(text):
        n = int(number) if number.isdigit() else NUMBER_WORDS[number]
        singular = ending in ("", "y")
        assert singular == (n == 1), f"{number} {noun}{ending}"
    assert not re.search(r"courses was|course were", text)

    # Record text shows literally and adds no element.
    assert element_names(html) <= TEMPLATE_TAGS
    for value in [
        record["name"],
        record["role"],
        *record["recipients"],
        *record["comments"],
        record.get("salutation", ""),
        record.get("late_remedies_detail", ""),
    ]:
        assert collapse(value) in text


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(records(text=ASCII_TEXT), AVERAGES)
def test_a_few_valid_records_render_as_pdf(
    tmp_path: Path, year_and_record: tuple[int, dict], averages: dict
) -> None:
    year, record = year_and_record
    html = render(tmp_path, year, record, averages)
    text = pdf_text(PdfRenderer(REPO / "templates").render(html))
    squeezed = re.sub(r"\s+", "", text)
    for value in [record["name"], record["role"], *record["recipients"]]:
        assert re.sub(r"\s+", "", value) in squeezed
    assert all(0 <= int(p) <= 100 for p in re.findall(r"(\d+)%", text))


class _QuotedStrings(yaml.SafeDumper):
    """Every string double-quoted, numbers plain (default_style='"' would quote numbers too,
    with a "!!int" tag that no record has)."""


_QuotedStrings.add_representer(
    str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
)


def _dumped(record: dict, style: str) -> str:
    """The record as a person might write it: block style, flow style, quoted, commented."""
    if style == "flow":
        return yaml.safe_dump(record, allow_unicode=True, default_flow_style=True, width=60)
    if style == "quoted":
        return yaml.dump(record, Dumper=_QuotedStrings, allow_unicode=True)
    text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False)
    return "# Annual review record\n" + text.replace("\nstatistics:", "\n\n# Figures\nstatistics:")


@given(records(text=LIBYAML_TEXT), st.sampled_from(["block", "flow", "quoted"]))
@settings(
    max_examples=150,
    # Timed by the machine's load, not by the code: no deadline (as the tests above).
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_libyaml_reads_a_record_as_the_python_scanner_does(
    tmp_path: Path, year_record: tuple[int, dict], style: str
) -> None:
    # Records are read with libyaml for speed; what the loader sees (values, and the line
    # and column it reports problems at) must be what PyYAML's own scanner gives. Both
    # scanners read every example here: the comparison is never of one with itself.
    assert yaml_reader._FastComposer is not None, "this PyYAML was built without libyaml"
    text = _dumped(year_record[1], style)
    assume(not yaml_reader._NOT_FOR_LIBYAML.search(text))  # say a "|#" made of two pieces
    file = tmp_path / "council.yaml"
    file.write_text(text, encoding="utf-8")

    def read_with(composer: type) -> tuple[object, dict]:
        node = yaml_reader._compose_with(composer, file, text)
        assert isinstance(node, yaml.MappingNode)
        converter = yaml_reader._Converter(file)
        return converter.convert(node, ()), converter.positions

    fast = read_with(yaml_reader._FastComposer)
    assert fast == read_with(yaml_reader._PythonComposer)
    assert fast[0] == year_record[1]
    document = yaml_reader.read_yaml(file)  # the loader's own path: the libyaml one here
    assert (document.data, document.positions) == fast
