"""One year of one project: its folders, validated records and letter contexts.

This is the pipeline up to the template: records → validated model → letter contexts.
Commands call prepare_year() and then render what they need.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from lgo_letters.caches import cache_folder
from lgo_letters.completeness import year_warnings
from lgo_letters.context import LetterContext, TypeAverages, letter_context, year_averages
from lgo_letters.context.letter import year_facts
from lgo_letters.errors import InputError, Problem, UsageError
from lgo_letters.renderer.templates import LetterFormat, Templates, data_uri
from lgo_letters.schema import (
    CouncilEntry,
    YearRecords,
    load_council,
    load_year,
)
from lgo_letters.schema.formats import YearFormat
from lgo_letters.schema.loader import load_year_format, records_cache
from lgo_letters.schema.slugs import SLUG_RULE, check_slugs, is_slug

__all__ = ["Paths", "PreparedYear", "UsageError", "check_year", "prepare_year"]


@dataclass(frozen=True)
class Paths:
    data: Path = Path("data")
    templates: Path = Path("templates")
    out: Path = Path("output")

    def data_years(self) -> list[int]:
        if not self.data.is_dir():
            raise UsageError(f"no data folder at {self.data}")
        return sorted(int(p.name) for p in self.data.iterdir() if p.is_dir() and p.name.isdigit())


@dataclass(frozen=True)
class PreparedYear:
    """A year ready to render, made whole by prepare_year and never changed after: serve's
    threads share one. Its fields cannot be assigned, its mappings are read-only views of
    copies made here, its lists are tuples."""

    year: int
    templates: Templates
    records: YearRecords
    letter_format: LetterFormat
    averages: Mapping[str, TypeAverages]
    letters: Mapping[str, LetterContext]
    problems: tuple[Problem, ...]
    # The year is incomplete or its averages are pooled (lgo_letters.completeness):
    # said by validate and build, failures with --strict.
    warnings: tuple[Problem, ...]
    # Records given besides the year's own (golden edge cases): lettered, never pooled.
    unpooled: Mapping[str, CouncilEntry]

    def __post_init__(self) -> None:
        # Read-only views of copies: whoever passed the dicts in cannot change them either.
        for name in ("averages", "letters", "unpooled"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def record_file(self, slug: str) -> Path:
        """The record file of a council that has a letter."""
        entry = self.records.councils.get(slug) or self.unpooled[slug]
        return entry.file


def check_year(paths: Paths, year: int) -> Templates:
    """The templates for `year`, after checking every folder the year needs exists."""
    if not paths.data.is_dir():
        raise UsageError(f"no data folder at {paths.data}")
    if not (paths.data / str(year)).is_dir():
        known = ", ".join(map(str, paths.data_years())) or "none"
        raise UsageError(
            f"unknown year {year}: no folder {paths.data / str(year)} (years: {known})"
        )
    if not paths.templates.is_dir():
        raise UsageError(f"no templates folder at {paths.templates}")
    return Templates(paths.templates)


def year_templates(
    paths: Paths, year: int, templates: Templates | None = None
) -> tuple[Templates, LetterFormat]:
    """The templates and letter format of `year`, or UsageError saying why the year's
    letters cannot be made at all (no folder, no letter template, a broken format.yaml)."""
    templates = templates or check_year(paths, year)
    try:
        template = templates.letter_template(year)
        return templates, LetterFormat(template, load_year_format(templates.dir, year))
    except InputError as error:
        raise UsageError("\n".join(map(str, error.problems))) from None


def year_signature(records: YearRecords, templates: Templates) -> str:
    """The signature every letter of the year carries, as a data: URI."""
    year_record = records.year_record
    if year_record is not None and year_record.signature_image:
        return data_uri(records.year_file.parent / year_record.signature_image)
    return templates.placeholder_signature()


def prepare_year(
    paths: Paths,
    year: int,
    only: Iterable[str] = (),
    templates: Templates | None = None,
    unpooled: Sequence[Path] = (),
    cache: bool = False,
) -> PreparedYear:
    """Validate the year's records and make a letter context for every valid council.

    `unpooled` are record files lettered with the year's averages but not pooled into
    them (the golden edge cases). Problems are collected, never raised: a bad record loses
    only its own letter. With `cache`, valid records are kept in
    <out>/.cache/<year>/records.json, so an unchanged record is not read again (the
    whole-year commands that have an output folder: build, validate, status, export).
    """
    # Everything made here lives as long as the year: the cycle collector would only walk
    # it again and again while it grows (a full pass every 25% more objects).
    with collector_paused():
        return _prepare_year(paths, year, only, templates, unpooled, cache)


# Whether what a year loads stays frozen (see keep_years_frozen): off unless asked.
_KEEP_FROZEN = [False]


def keep_years_frozen() -> None:
    """In a process that reads a year, acts and ends (every command but `serve`): what
    prepare_year makes stays out of the cycle collector's sight (gc.freeze), for it lives
    until the process ends. Each full collection would otherwise walk all of it again
    (20,000 councils: six passes, 2.7 s of a `status`). What the command then makes of
    the year (20,000 letters' states) is collected in full a tenth as often: young
    objects as often as before."""
    _KEEP_FROZEN[0] = True
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 100)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cycle collection while the year loads; then what was made goes straight to the
    oldest generation (gc.freeze, then gc.unfreeze), so the collector does not walk it
    twice more on its way there. Unless keep_years_frozen() was called, nothing stays
    frozen: a server that prepares the year again and again leaves its old years to the
    collector."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if not _KEEP_FROZEN[0]:
            gc.unfreeze()
        if enabled:
            gc.enable()


def _prepare_year(
    paths: Paths,
    year: int,
    only: Iterable[str],
    templates: Templates | None,
    unpooled: Sequence[Path],
    cache: bool,
) -> PreparedYear:
    templates, letter_format = year_templates(paths, year, templates)

    only = list(only)
    check_slugs(only)

    records = load_year(
        paths.data / str(year),
        year,
        letter_format.format,
        records_cache(cache_folder(paths.out, year), letter_format.format) if cache else None,
    )
    problems = list(records.problems)
    if only:
        unknown = [s for s in only if s not in records.councils and s not in records.failed]
        if unknown:
            valid = ", ".join(sorted(records.councils)) or "none"
            raise UsageError(
                f"no council record for {', '.join(unknown)} in {year} (valid: {valid})"
            )
        problems = [p for p in problems if p.file == records.year_file or p.file.stem in only]
    averages: dict[str, TypeAverages] = {}
    warnings: list[Problem] = []
    extra: dict[str, CouncilEntry] = {}
    letters: dict[str, LetterContext] = {}
    year_record = records.year_record
    if year_record is not None:  # else no letter can be made: the year's problems say why
        extra, extra_problems = _unpooled_entries(records, letter_format.format, unpooled)
        problems.extend(extra_problems)
        averages = year_averages(
            year_record,
            (e.record for e in records.councils.values()),
            letter_format.format.declared.averages,
        )
        warnings, list_problems = year_warnings(records, averages)
        problems.extend(list_problems)
        signature = year_signature(records, templates)
        # One mapping of averages per type, shared by its letters (a letter needs its
        # type's averages, never the type's records: holding those per letter grew with
        # the square of the councils).
        nothing = dict.fromkeys(letter_format.format.declared.averages)
        by_type = {kind: dict(type_averages.rates) for kind, type_averages in averages.items()}
        facts = year_facts(year_record)
        for slug, entry in [*sorted(records.councils.items()), *extra.items()]:
            if only and slug not in only:
                continue
            letters[slug] = letter_context(
                slug,
                year,
                entry.record,
                year_record,
                by_type.get(entry.record.type, nothing),
                signature,
                declared=letter_format.format.declared,
                facts=facts,
            )
    return PreparedYear(
        year,
        templates,
        records,
        letter_format,
        averages=averages,
        letters=letters,
        problems=tuple(problems),
        warnings=tuple(warnings),
        unpooled=extra,
    )


def _unpooled_entries(
    records: YearRecords, record_format: YearFormat, files: Sequence[Path]
) -> tuple[dict[str, CouncilEntry], list[Problem]]:
    """The extra records, validated like the year's own, and their problems."""
    entries: dict[str, CouncilEntry] = {}
    problems: list[Problem] = []
    for file in files:
        slug = file.stem
        try:
            if not is_slug(slug):
                message = f"not a valid file name: {SLUG_RULE}"
                raise InputError([Problem(file, None, None, "", message)])
            if slug in records.councils or slug in records.failed or slug in entries:
                message = (
                    f"{records.year_file.parent / 'councils'} has a record of the same name: "
                    "rename it"
                )
                raise InputError([Problem(file, None, None, "", message)])
            entries[slug] = CouncilEntry(slug, file, load_council(file, record_format))
        except InputError as error:
            problems.extend(error.problems)
    return entries, problems
