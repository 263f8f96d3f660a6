"""Formats as data: format.yaml's own checks, records against their format, the rates and
the compliance-delay cases computed in Python."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from lgo_letters.context.averages import year_averages
from lgo_letters.context.delay import compliance_delay
from lgo_letters.context.letter import Rate, letter_context
from lgo_letters.errors import InputError
from lgo_letters.schema.formats import check_record
from lgo_letters.schema.loader import load_format
from lgo_letters.schema.models import CouncilRecord
from tests.errorcases import invoke
from tests.records import council, write_council
from tests.years import year_file


@pytest.mark.parametrize(
    ("outcomes", "complied", "late", "every", "case"),
    [
        (1, 1, 1, True, "only"),
        (3, 1, 1, False, "that"),
        (2, 2, 2, True, "both"),
        (4, 3, 3, False, "all"),
        (5, 5, 1, True, "one"),
        (6, 5, 3, False, "some"),
        (12, 11, 10, False, "some"),
    ],
)
def test_the_compliance_delay_case(
    outcomes: int, complied: int, late: int, every: bool, case: str
) -> None:
    delay = compliance_delay(outcomes, complied, late)
    assert delay is not None
    assert (delay.satisfied_in_every_case, delay.late_case) == (every, case)
    assert (delay.outcomes, delay.complied, delay.late) == (outcomes, complied, late)


def test_no_late_remedy_no_paragraph_and_impossible_counts_refused() -> None:
    assert compliance_delay(3, 3, 0) is None
    with pytest.raises(ValueError):
        compliance_delay(2, 3, 1)  # complied above outcomes: the record checks refuse it


def _format(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    file = tmp_path / "format.yaml"
    file.write_text(text)
    return load_format(file, 2030)


def test_format_references_are_checked_and_located(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        _format(
            tmp_path,
            "statistics:\n"
            "  cases: {type: count}\n"
            "  upheld: {type: count, at_most: casess}\n"
            "fields:\n"
            "  name: {type: text}\n"
            "  detail: {type: text, requires: nothing}\n"
            "  note: {type: text, at_most: cases}\n",
        )
    found = [str(p).removeprefix(f"{tmp_path}/") for p in raised.value.problems]
    assert found == [
        "format.yaml:3:25: statistics.upheld.at_most: 'casess' is not another count of this "
        "format (counts: cases, upheld)",
        "format.yaml:5:3: fields.name: name is a core field every record has: do not declare it",
        "format.yaml:6:24: fields.detail.requires: 'nothing' is not another field of this format",
        "format.yaml:7:22: fields.note.at_most: only a count can be at most another",
    ]


def test_a_missing_format_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        load_format(tmp_path / "format.yaml", 2030)
    assert "missing" in str(raised.value.problems[0])


def test_rate_is_given_or_pooled_from_the_years_records(tmp_path: Path) -> None:
    year_format = _format(
        tmp_path,
        "statistics:\n  asked: {type: count}\n  done: {type: count, at_most: asked}\n"
        "averages: [{done: {part: done, whole: asked}}]\n",
    )
    year = year_format.year_model.model_validate(
        {
            "letter_date": dt.date(2030, 7, 1),
            "publication_date": dt.date(2030, 7, 8),
            "averages": {"county": {"done": 40}},
        }
    )

    def record(kind: str, asked: int, done: int):  # type: ignore[no-untyped-def]
        # This format's own statistics in place of the usual five.
        data = council(type=kind) | {"statistics": {"asked": asked, "done": done}}
        return year_format.record_model.model_validate(data)

    districts = [record("district", 8, 5), record("district", 0, 0), record("district", 2, 0)]
    county = record("county", 3, 3)
    averages = year_averages(year, [*districts, county], year_format.declared.averages)
    assert (averages["district"].source, averages["county"].source) == ("computed", "given")

    def rate(slug: str, council: CouncilRecord) -> Rate:
        context = letter_context(
            slug, 2030, council, year, averages[council.type].rates, declared=year_format.declared
        )
        return context.rate("done")

    pooled = rate("a", districts[0])
    # 5 of 8 is 62.5%, half up 63; the average is pooled: 5 of 10.
    assert (pooled.part, pooled.whole, pooled.percent, pooled.average) == (5, 8, 63, 50)
    none = rate("b", districts[1])
    assert none.percent is None  # never 0% over zero cases
    given = rate("c", county)
    assert (given.percent, given.average) == (100, 40)


def test_a_year_without_the_facts_its_format_prints_is_located(
    tmp_path: Path, new_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    new_project(data=None, years=[2021])
    write_council(tmp_path, "ashby", council(), year=2021)
    text = year_file(2021).replace(", people_reached: 2300", "")
    (tmp_path / "data/2021/year.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    run = invoke("validate", "2021")
    assert run.code == 1
    assert run.problems() == [
        "data/2021/year.yaml:3:1: facts.people_reached: required field is missing"
    ]


def test_a_nouns_plural_is_the_formats_own_where_given(tmp_path: Path) -> None:
    year_format = _format(
        tmp_path,
        "statistics:\n"
        "  due: {type: count, noun: remedy due, plural: remedies due}\n"
        "  on_time: {type: count, at_most: due, noun: remedy on time, plural: remedies on time}\n"
        "  cases: {type: count, noun: case}\n"
        "  closed: {type: count, at_most: cases, noun: closed case}\n",
    )

    def problems(statistics: dict[str, int]) -> list[str]:
        record = year_format.record_model.model_validate(council() | {"statistics": statistics})
        return [message for _, message in check_record(record, year_format.declared)]

    assert problems({"due": 4, "on_time": 5, "cases": 1, "closed": 2}) == [
        "5 remedies on time but only 4 remedies due",
        "2 closed cases but only 1 case",  # no plural given: an "s" on the last word
    ]
    assert problems({"due": 1, "on_time": 2, "cases": 0, "closed": 0}) == [
        "2 remedies on time but only 1 remedy due"
    ]


def test_a_plural_without_a_noun_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        _format(tmp_path, "statistics:\n  due: {type: count, plural: remedies due}\n")
    found = [str(p).removeprefix(f"{tmp_path}/") for p in raised.value.problems]
    assert found == [
        "format.yaml:2:22: statistics.due.plural: a plural goes with a noun: give its noun"
    ]


def test_names_pydantic_or_python_keep_for_themselves_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        _format(
            tmp_path,
            "statistics:\n"
            "  model_config: {type: count}\n"
            "  cases: {type: count}\n"
            "fields:\n"
            "  copy: {type: text}\n"
            "  class: {type: count}\n"
            "  format_source: {type: text}\n"
            "averages: {model_dump: {part: cases, whole: cases}}\n"
            "facts:\n"
            "  json: {type: count}\n",
        )
    found = [str(p).removeprefix(f"{tmp_path}/") for p in raised.value.problems]
    taken = "is taken by the models that check the records (pydantic): choose another name"
    assert found == [
        f"format.yaml:2:3: statistics.model_config: 'model_config' {taken}",
        f"format.yaml:5:3: fields.copy: 'copy' {taken}",
        "format.yaml:6:3: fields.class: 'class' is a Python keyword: choose another name",
        f"format.yaml:7:3: fields.format_source: 'format_source' {taken}",
        f"format.yaml:8:12: averages.model_dump: 'model_dump' {taken}",
        f"format.yaml:10:3: facts.json: 'json' {taken}",
    ]


@pytest.mark.parametrize("command", [("validate", "2021"), ("export", "2021", "--to", "x.csv")])
def test_a_reserved_name_in_format_yaml_stops_validate_and_export_located(
    in_project: Path, command: tuple[str, ...]
) -> None:
    format_file = in_project / "templates/2021/format.yaml"
    text = format_file.read_text()
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("fields:"))
    format_file.write_text(text.replace("fields:", "fields:\n  model_config: {type: count}", 1))
    run = invoke(*command, "--data", "data", "--templates", "templates")
    assert run.code == 2, run.stderr
    assert (
        f"error: templates/2021/format.yaml:{line + 1}:3: fields.model_config: 'model_config' "
        "is taken by the models that check the records (pydantic)" in run.stderr
    )


def test_an_at_most_circle_is_refused_once_where_it_starts(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        _format(
            tmp_path,
            "statistics:\n"
            "  cases: {type: count}\n"
            "  upheld: {type: count, at_most: remedied}\n"
            "  remedied: {type: count, at_most: complied}\n"
            "fields:\n"
            "  complied: {type: count, at_most: upheld}\n"
            "  late: {type: count, at_most: complied}\n"
            "  again: {type: count, at_most: late}\n",
        )
    found = [str(p).removeprefix(f"{tmp_path}/") for p in raised.value.problems]
    assert found == [
        "format.yaml:3:25: statistics.upheld.at_most: at_most goes round in a circle "
        "(upheld → remedied → complied → upheld): no count can be at most itself"
    ]
