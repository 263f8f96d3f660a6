"""Next year's letter from this year's: `lgo-letters new-year YEAR --from PREVIOUS`.

Plans every file of the new year (its templates, year.yaml, council records without
figures, golden edge cases), and the checklist of what a person must look at: each
sentence of the template that carries a figure or a date, each fact carried over, each
field to fill in. Nothing existing is ever overwritten; the new folders appear whole.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lgo_letters.errors import InputError, UsageError
from lgo_letters.output import staging_folder
from lgo_letters.schema.loader import (
    GOLDEN_SETTINGS_FILE,
    council_files,
    edge_case_files,
    golden_folder,
    load_format,
)
from lgo_letters.schema.models import FormatRecord
from lgo_letters.schema.yaml_reader import read_yaml

# What a council's record keeps from one year to the next: who it is and who it goes to.
KEPT_FIELDS = ("name", "type", "code", "recipients", "role", "salutation", "email", "cc")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# A sentence carries a figure or a date: digits, a month, a fact, a date, a count filter or
# a count or rate of the letter (letter.counted("remedies_recommended")).
_FIGURE = re.compile(
    rf"\d|\b({_MONTHS})\b|letter\.facts\.|_date\b|\|\s*(counted|in_words)"
    r"|letter\.(count|counted|rate)\("
)
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_TAG = re.compile(r"<[^>]+>|\{%.*?%\}", re.S)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z{])")
# A letter year has four digits, as year folders and dates do.
YEARS = range(1000, 10000)


@dataclass(frozen=True)
class NewFile:
    path: Path
    text: str | None = None  # None: copied from `source`
    source: Path | None = None


@dataclass
class NewYearPlan:
    year: int
    previous: int
    folders: list[Path] = field(default_factory=list)  # created whole, in this order
    files: list[NewFile] = field(default_factory=list)
    checklist: list[str] = field(default_factory=list)


def _next_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _dump(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=4096)
    return text.strip().removesuffix("...").strip()


def _year_file(previous_file: Path, year: int, previous: int) -> tuple[str, list[str]]:
    """The new year.yaml's text, and the checklist lines for it."""
    try:
        data = read_yaml(previous_file).data
    except InputError as error:
        raise UsageError("\n".join(map(str, error.problems))) from None
    if not isinstance(data, dict):
        raise UsageError(f"{previous_file}: not a mapping; fix it before carrying it over")
    moved = year - previous
    lines = [
        f"# {year}'s letters, carried over from {previous} by `lgo-letters new-year`.",
        "# Every line marked CHECK is last year's: confirm or change it.",
    ]
    checklist = []
    for key in ("letter_date", "publication_date"):
        if isinstance(data.get(key), dt.date):
            if not dt.MINYEAR <= data[key].year + moved <= dt.MAXYEAR:
                raise UsageError(
                    f"{previous_file}: {key}: {data[key].isoformat()} moved on to {year} "
                    "would not be a date: fix it before carrying it over"
                )
            day = _next_year(data[key], moved)
            lines.append(f"{key}: {day.isoformat()}   # CHECK: {previous}'s moved on a year")
            checklist.append(f"{key}: {day.isoformat()} ({previous}'s moved on a year)")
    lines.append("averages: {}   # give each type's averages, or they are pooled from records")
    checklist.append("averages: none yet; give them per type, or they are pooled from records")
    facts = data.get("facts") or {}
    if isinstance(facts, dict) and facts:
        lines.append("facts:")
        for name, value in facts.items():
            lines.append(f"  {name}: {_dump(value)}   # CHECK: {previous}'s figure")
            checklist.append(f"facts.{name}: {_dump(value)} is {previous}'s figure")
    for key, value in data.items():
        if key in ("letter_date", "publication_date", "averages", "facts"):
            continue
        lines.append(f"{key}: {_dump(value)}")
    return "\n".join(lines) + "\n", checklist


def _council_file(record_file: Path) -> str | None:
    """The council's record without its figures, marked draft; None if it cannot be read."""
    try:
        data = read_yaml(record_file).data
    except InputError:
        return None
    if not isinstance(data, dict):
        return None
    kept = {k: data[k] for k in KEPT_FIELDS if k in data}
    text = yaml.safe_dump(kept, sort_keys=False, allow_unicode=True, width=4096)
    return (
        text + "# statistics: the year's figures (lgo-letters import, or by hand)\n"
        "draft: true   # until the figures are given and checked\n"
    )


def template_sentences(template: Path) -> list[str]:
    """Each sentence of the template that carries a figure or a date, with its line."""
    source = _JINJA_COMMENT.sub(lambda m: "\n" * m.group().count("\n"), template.read_text())
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        text = _TAG.sub(" ", line)
        for sentence in _SENTENCE_END.split(" ".join(text.split())):
            if _FIGURE.search(sentence):
                found.append(f"{template}:{number}: {sentence}")
    return found


def _declared(format_file: Path, year: int) -> FormatRecord:
    try:
        return load_format(format_file, year).declared
    except InputError as error:
        raise UsageError("\n".join(map(str, error.problems))) from None


def plan_new_year(data: Path, templates: Path, year: int, previous: int) -> NewYearPlan:
    """What `new-year` would create, or UsageError when it would overwrite anything."""
    for value in (year, previous):
        if value not in YEARS:
            raise UsageError(
                f"{value} is not a letter year: a year has four digits "
                f"({YEARS.start} to {YEARS.stop - 1})"
            )
    plan = NewYearPlan(year, previous)
    sources = {
        "templates": (templates / str(previous), templates / str(year)),
        "data": (data / str(previous), data / str(year)),
    }
    for what, (source, target) in sources.items():
        if not source.is_dir():
            raise UsageError(f"no {what} folder for {previous} at {source}")
        if target.exists():
            raise UsageError(f"{target} already exists: new-year never overwrites a year")

    template_source, template_target = sources["templates"]
    plan.folders.append(template_target)
    for file in sorted(p for p in template_source.rglob("*") if p.is_file()):
        plan.files.append(NewFile(template_target / file.relative_to(template_source), None, file))

    data_source, data_target = sources["data"]
    plan.folders.append(data_target)
    year_text, year_checks = _year_file(data_source / "year.yaml", year, previous)
    plan.files.append(NewFile(data_target / "year.yaml", year_text))
    for file in council_files(data_source):
        text = _council_file(file)
        if text is not None:
            plan.files.append(NewFile(data_target / "councils" / file.name.lower(), text))
    # The golden checks' edge cases and settings carry over; golden files do not (the
    # first `check --update` of the new year writes them).
    golden_source = golden_folder(data_source)
    carried = [golden_source / GOLDEN_SETTINGS_FILE, *edge_case_files(data_source)]
    for file in (f for f in carried if f.is_file()):
        plan.files.append(NewFile(data_target / file.relative_to(data_source), None, file))
    template = template_source / "letter.html.j2"
    if template.is_file():
        new_template = str(template_target / template.name)
        plan.checklist += [
            f"figure or date: {line.replace(str(template), new_template, 1)}"
            for line in template_sentences(template)
        ]
    plan.checklist += [f"{data_target / 'year.yaml'}: {line}" for line in year_checks]
    councils = len([f for f in plan.files if f.path.parent == data_target / "councils"])
    declared = _declared(template_source / "format.yaml", previous)
    plan.checklist.append(
        f"{data_target / 'councils'}: {councils} record(s) without figures and marked draft: "
        f"give statistics: {', '.join(declared.statistics)}"
        + (f"; where they apply: {', '.join(declared.fields)}" if declared.fields else "")
        + f" (as {template_target / 'format.yaml'} declares them); then remove draft"
    )
    return plan


def write_new_year(plan: NewYearPlan) -> None:
    """Each new folder is made aside and renamed into place: it appears whole or not at all."""
    for folder in plan.folders:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = staging_folder(folder.parent, prefix=f".{folder.name}-")
        try:
            for new in plan.files:
                if not new.path.is_relative_to(folder):
                    continue
                target = staging / new.path.relative_to(folder)
                target.parent.mkdir(parents=True, exist_ok=True)
                if new.source is not None:
                    shutil.copyfile(new.source, target)
                else:
                    target.write_text(new.text or "", encoding="utf-8")
            if folder.exists():
                raise UsageError(f"{folder} appeared meanwhile: new-year never overwrites a year")
            staging.rename(folder)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
