"""What changed between two years' letter formats: the wording, sentence by sentence, of
the same council's letter in both, and the fields their format.yaml files declare."""

from __future__ import annotations

import difflib
import re
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal

import yaml

from lgo_letters.errors import InputError, LetterFailure, UsageError
from lgo_letters.letter import make_letter
from lgo_letters.project import Paths, check_year, prepare_year
from lgo_letters.schema.formats import YearFormat
from lgo_letters.schema.models import CORE_FIELDS, FieldSpec, RateSpec
from lgo_letters.schema.yaml_reader import read_yaml

SAMPLE_SLUG = "formats-diff-sample"
# Block elements: each starts a new run of text (a sentence never spans two).
_BLOCKS = {
    "p", "h1", "h2", "h3", "li", "address", "span", "div", "section", "header", "title",
}  # fmt: skip
_SKIPPED = {"style", "svg", "script", "head"}
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)%][.!?]) (?=[A-Z])")

Change = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class SentenceChange:
    kind: Change
    old: str | None
    new: str | None

    @property
    def words(self) -> str:
        """A changed sentence's word-level difference: [-removed-] {+added+}."""
        return word_diff(self.old or "", self.new or "")


@dataclass(frozen=True)
class FieldChange:
    kind: Change
    where: str  # statistics.upheld, fields.public_reports, averages.public_reports ...
    old: str | None
    new: str | None


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.runs: list[list[str]] = [[]]
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.runs.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping -= 1
        elif tag in _BLOCKS:
            self.runs.append([])

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.runs[-1].append(data)


def sentences(html: str) -> list[str]:
    """The letter's text, one sentence an item, in reading order."""
    parser = _Text()
    parser.feed(html)
    found = []
    for run in parser.runs:
        text = " ".join("".join(run).split())
        found += [s for s in _SENTENCE_END.split(text) if s]
    return found


def word_diff(old: str, new: str) -> str:
    a, b = old.split(), new.split()
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts += a[i1:i2]
            continue
        if i2 > i1:
            parts.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            parts.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(parts)


def sentence_changes(old: list[str], new: list[str]) -> list[SentenceChange]:
    changes = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        removed, added = list(old[i1:i2]), list(new[j1:j2])
        # A replaced run: pair each old sentence with the most alike new one, if alike.
        for sentence in list(removed):
            best = max(
                added,
                key=lambda s: difflib.SequenceMatcher(None, sentence, s).ratio(),
                default=None,
            )
            if best is not None and difflib.SequenceMatcher(None, sentence, best).ratio() > 0.6:
                changes.append(SentenceChange("changed", sentence, best))
                removed.remove(sentence)
                added.remove(best)
        changes += [SentenceChange("removed", s, None) for s in removed]
        changes += [SentenceChange("added", None, s) for s in added]
    return changes


def _spec_text(spec: FieldSpec | RateSpec) -> str:
    return ", ".join(f"{k}: {v}" for k, v in spec.model_dump(exclude_none=True).items())


def field_changes(a: YearFormat, b: YearFormat) -> list[FieldChange]:
    changes: list[FieldChange] = []
    for section in ("statistics", "fields", "facts", "averages"):
        old: dict[str, FieldSpec | RateSpec] = getattr(a.declared, section)
        new: dict[str, FieldSpec | RateSpec] = getattr(b.declared, section)
        for name in [*old, *(n for n in new if n not in old)]:
            before = _spec_text(old[name]) if name in old else None
            after = _spec_text(new[name]) if name in new else None
            if before == after:
                continue
            kind: Change = "added" if before is None else "removed" if after is None else "changed"
            changes.append(FieldChange(kind, f"{section}.{name}", before, after))
    return changes


def sample_record(formats: list[YearFormat]) -> dict[str, Any]:
    """A made-up council that reaches every optional paragraph of these formats: every
    count above zero and within its `at_most`, every text, flag and list given."""
    specs: dict[str, FieldSpec] = {}
    statistics: set[str] = set()
    for year_format in formats:
        specs.update(year_format.declared.fields)
        specs.update(year_format.declared.statistics)
        statistics.update(year_format.declared.statistics)

    def depth(name: str, seen: frozenset[str] = frozenset()) -> int:
        spec = specs.get(name)
        if spec is None or spec.at_most is None or name in seen:
            return 0
        return 1 + depth(spec.at_most, seen | {name})

    record: dict[str, Any] = {
        "name": "Sample District Council",
        "type": "district",
        "recipients": ["Ms Sample"],
        "role": "Chief Executive",
        "statistics": {},
        "comments": ["A comment written for this council."],
    }
    values = {"text": "A sentence written for this council.", "flag": True}
    for name, spec in specs.items():
        if spec.type == "count":
            value: Any = max(1, 10 - 2 * depth(name))
        elif spec.type == "paragraphs":
            value = ["A paragraph written for this council."]
        elif spec.type == "date":
            value = "2000-01-01"
        else:
            value = values[spec.type]
        if name in statistics:
            record["statistics"][name] = value
        else:
            record[name] = value
    return record


def _fitted(record: dict[str, Any], year_format: YearFormat) -> dict[str, Any]:
    """The record as the year's format has room for it: its core fields, that format's
    statistics (0 where the record has none) and fields."""
    declared = year_format.declared
    given = record.get("statistics") or {}
    fitted = {k: v for k, v in record.items() if k in CORE_FIELDS and k != "statistics"}
    fitted["statistics"] = {name: given.get(name, 0) for name in declared.statistics}
    fitted.update({k: v for k, v in record.items() if k in declared.fields})
    return fitted


def _council_data(paths: Paths, years: tuple[int, int], slug: str) -> dict[str, Any]:
    for year in reversed(years):
        file = paths.data / str(year) / "councils" / f"{slug}.yaml"
        if file.is_file():
            try:
                data = read_yaml(file).data
            except InputError as error:
                raise UsageError("\n".join(map(str, error.problems))) from None
            if isinstance(data, dict):
                return data
    raise UsageError(f"no council record {slug}.yaml in {years[0]} or {years[1]}")


def letter_sentences(
    paths: Paths, year: int, record: dict[str, Any], folder: Path
) -> tuple[YearFormat, list[str]]:
    templates = check_year(paths, year)
    year_format = templates.letter_format(year).format
    file = folder / str(year) / f"{SAMPLE_SLUG}.yaml"
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(yaml.safe_dump(_fitted(record, year_format), allow_unicode=True), "utf-8")
    prepared = prepare_year(paths, year, templates=templates, unpooled=[file])
    if SAMPLE_SLUG not in prepared.letters:
        problems = [p for p in prepared.problems if p.file in (file, prepared.records.year_file)]
        raise UsageError("\n".join(map(str, problems)) or f"no letter for {year}")
    letter = make_letter(prepared, SAMPLE_SLUG)
    if isinstance(letter, LetterFailure):
        raise UsageError("\n".join(letter.reasons))
    return year_format, sentences(letter.document)


@dataclass(frozen=True)
class FormatsDiff:
    council: str
    sentences: list[SentenceChange]
    fields: list[FieldChange]


def formats_diff(paths: Paths, year_a: int, year_b: int, council: str | None) -> FormatsDiff:
    formats = [check_year(paths, y).letter_format(y).format for y in (year_a, year_b)]
    record = _council_data(paths, (year_a, year_b), council) if council else sample_record(formats)
    with tempfile.TemporaryDirectory(prefix="lgo-formats-diff-") as folder:
        format_a, old = letter_sentences(paths, year_a, record, Path(folder))
        format_b, new = letter_sentences(paths, year_b, record, Path(folder))
    return FormatsDiff(
        record["name"], sentence_changes(old, new), field_changes(format_a, format_b)
    )
