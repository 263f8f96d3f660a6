"""The bundle the website needs on the publication date, in DIR/<year>/: every approved
letter (PDF and HTML) under its public name, the year's public figures as CSV and JSON, and
an index.html.

All or nothing: a year with any letter that is a draft, unapproved or changed since its
approval publishes nothing (the figures would carry its unconfirmed numbers). The same
inputs give the same bytes: nothing in the bundle depends on the clock.

The folder is shared with the website's editors: publish replaces only files it wrote
itself, as its record of the folder (lgo_letters.release.bundle) lists them, and refuses,
writing nothing, when a file of the bundle is someone else's. Everything is made before
anything is written; each file is renamed into place whole, and the record says while a
publish is under way, so a stopped run leaves every file old or new and the next run says
it was stopped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from lgo_letters.exchange.table import (
    WRITERS,
    Column,
    YearTable,
    public_table,
    year_table,
)
from lgo_letters.hashing import sha256_bytes
from lgo_letters.manifest import Manifest
from lgo_letters.output import (
    ensure_output_folder,
    folder_lock,
    is_own_temporary,
    write_atomic,
)
from lgo_letters.release.bundle import (
    GENERATOR,
    FolderRecord,
    load_record,
    survey,
    write_record,
)
from lgo_letters.release.corrections import (
    corrections_csv,
    keep_released_text,
    publication_correction,
)
from lgo_letters.release.ledgers import (
    PublishedCorrection,
    load_published,
    load_published_corrections,
    write_published,
)
from lgo_letters.release.message import publication_name
from lgo_letters.release.state import LetterState, YearState, why_not_released
from lgo_letters.renderer import Templates
from lgo_letters.schema.models import AUTHORITY_TYPES
from lgo_letters.schema.names import name_key, sort_key
from lgo_letters.sentences import letter_text

INDEX_TEMPLATE = "publish/index.html.j2"
INDEX = "index.html"
CORRECTIONS = "corrections.csv"  # published letters replaced by corrected ones
FORMATS = {".html": "html", ".pdf": "pdf"}  # a letter's files, by suffix → column prefix


def figures_name(year: int, suffix: str) -> str:
    return f"annual-review-figures-{year}{suffix}"


def letter_columns(base_url: str | None) -> tuple[Column, ...]:
    """The public figures' columns for the letters' files (and, with a base URL, their
    addresses), after the figures themselves."""
    columns = [
        Column("html_file", "text", "the letter as a web page, in this folder"),
        Column("pdf_file", "text", "the letter as a PDF, in this folder"),
    ]
    if base_url is not None:
        columns += [
            Column("html_url", "text", "the address of the letter as a web page"),
            Column("pdf_url", "text", "the address of the letter as a PDF"),
        ]
    return tuple(columns)


@dataclass
class PublishReport:
    folder: Path  # DIR/<year>
    refused: dict[str, str] = field(default_factory=dict)  # slug → why it cannot go out
    written: list[Path] = field(default_factory=list)
    early: dt.date | None = None  # the publication date, when run before it
    error: str = ""  # why the bundle could not be made (a template error)
    # Files of the bundle the folder already has and publish did not write (or that were
    # changed since): name → why. Nothing is written while there is one.
    foreign: dict[str, str] = field(default_factory=dict)
    # The last publish into the folder was stopped part way: (files in place, of how many).
    stopped: tuple[int, int] | None = None
    # Letters of this year already in the folder that this bundle does not have (a council
    # whose record has gone): left as they are, and named.
    left_over: list[Path] = field(default_factory=list)
    corrected: list[str] = field(default_factory=list)  # published letters now replaced


@dataclass(frozen=True)
class Bundle:
    """Everything a publish writes, made before anything is written."""

    files: dict[str, bytes]  # name → bytes, in the order they are written
    published: dict[str, str]  # published.yaml: slug → its published PDF's sha256
    corrections: list[PublishedCorrection]  # every correction of the year's published letters
    corrected: list[str]  # the letters this publish replaces with corrected ones
    texts: dict[str, tuple[str, str]]  # slug → (its PDF's sha256, its text), to keep


@dataclass(frozen=True)
class _Letter:
    state: LetterState
    files: dict[str, bytes]  # public file name → bytes, by FORMATS order


def _letters_not_in(target: Path, year: int, bundle: set[Path]) -> list[Path]:
    """Files in `target` named as this year's published letters that are not in `bundle`."""
    return sorted(
        file
        for suffix in FORMATS
        for file in target.glob(publication_name("*", year, suffix))
        if file not in bundle
    )


def _size(size: int) -> str:
    return f"{max(1, round(size / 1024))} KB"


def _approved_files(year: YearState, out_dir: Path, report: PublishReport) -> list[_Letter] | None:
    """Every letter's files as approved, or None (and why, in report.refused)."""
    letters = []
    for slug, letter in year.letters.items():
        reason = why_not_released(letter)
        if reason is not None:
            report.refused[slug] = reason
    if report.refused:
        return None
    for slug, letter in year.letters.items():
        assert letter.approval is not None
        files = {}
        for suffix, approved in (
            (".html", letter.approval.html_sha256),
            (".pdf", letter.approval.pdf_sha256),
        ):
            try:
                payload = (out_dir / f"{slug}{suffix}").read_bytes()
            except OSError as error:
                report.refused[slug] = f"its {suffix[1:].upper()} cannot be read: {error.strerror}"
                break
            if sha256_bytes(payload) != approved:  # changed on disk since the state was read
                report.refused[slug] = f"its {suffix[1:].upper()} on disk is not the approved one"
                break
            files[publication_name(slug, year.year, suffix)] = payload
        letters.append(_Letter(letter, files))
    return None if report.refused else letters


def _figures(
    year: YearState, out_dir: Path, letters: list[_Letter], base_url: str | None
) -> YearTable:
    """The public figures, a row a council in the index's order, with its letter's files."""
    cells: dict[str, dict[str, Any]] = {}
    for letter in letters:
        row: dict[str, Any] = {}
        for suffix, kind in FORMATS.items():
            name = publication_name(letter.state.slug, year.year, suffix)
            row[f"{kind}_file"] = name
            if base_url is not None:
                row[f"{kind}_url"] = f"{base_url}{year.year}/{name}"
        cells[letter.state.slug] = row
    table = year_table(year.prepared, Manifest.load(out_dir, year.year))
    order = [letter.state.slug for letter in letters]
    return public_table(table, order, letter_columns(base_url), cells)


def _index(
    year: YearState,
    templates: Templates,
    letters: list[_Letter],
    figures: YearTable,
    figure_files: dict[str, str],
    corrections: str | None,
) -> str:
    """index.html: the councils by type, each sorted by its name as people look for it,
    with their figures and letters. Raises jinja2.TemplateError."""
    prepared = year.prepared
    year_record = prepared.records.year_record
    assert year_record is not None
    rates = list(prepared.letter_format.format.declared.averages)
    # The counts, then the rates; the averages are the type's, shown once for its group.
    columns = [
        {"name": c.name, "kind": c.kind, "title": c.description}
        for c in figures.columns
        if c.kind == "count"
    ] + [{"name": f"{rate}_percent", "kind": "percent", "title": rate} for rate in rates]
    groups = []
    for kind in AUTHORITY_TYPES:
        rows = [
            (letter, row)
            for letter, row in zip(letters, figures.rows, strict=True)
            if row["type"] == kind
        ]
        if not rows:
            continue
        councils = []
        for letter, row in rows:
            html, pdf = (publication_name(letter.state.slug, year.year, s) for s in FORMATS)
            name = row["name"]
            councils.append(
                {
                    "name": name,
                    # What the search box matches, as names are compared (names.py).
                    "search": " ".join(dict.fromkeys([name_key(name), sort_key(name)[0]])),
                    "html": html,
                    "pdf": pdf,
                    "pdf_size": _size(len(letter.files[pdf])),
                    "cells": [row[c["name"]] for c in columns],
                }
            )
        # Every council of a type compares with the same averages: its letter's.
        averages = [(rate, rows[0][1][f"{rate}_average"]) for rate in rates]
        groups.append({"type": kind, "averages": averages, "councils": councils})
    return templates.env.get_template(INDEX_TEMPLATE).render(
        year=year.year,
        period_end=next(iter(prepared.letters.values())).period_end,
        publication_date=year_record.publication_date,
        councils=len(letters),
        columns=columns,
        groups=groups,
        figures=figure_files,
        corrections=corrections,
        generator=GENERATOR,
    )


def bundle_files(
    year: YearState,
    templates: Templates,
    out_dir: Path,
    base_url: str | None,
    report: PublishReport,
) -> Bundle | None:
    """Every file of the bundle, by name, in the order they are written (letters, figures,
    corrections, the index last, so that its links lead somewhere), and what published.yaml
    will say; None when the year cannot be published (why is in the report)."""
    letters = _approved_files(year, out_dir, report)
    if letters is None:
        return None
    letters.sort(key=lambda letter: _sort_key(year, letter.state.slug))
    figures = _figures(year, out_dir, letters, base_url)
    figure_files = {suffix: figures_name(year.year, suffix) for suffix in (".csv", ".json")}

    # A letter published before whose PDF is not the approved one now: a correction.
    published = load_published(year.year_dir)
    corrections = load_published_corrections(year.year_dir)
    corrected, texts = [], {}
    for letter in letters:
        state = letter.state
        assert state.approval is not None
        text, before = letter_text(state.html), published.get(state.slug)
        if before is not None and before != state.approval.pdf_sha256:
            corrections.append(publication_correction(year.year_dir, state, before, text))
            corrected.append(state.slug)
        texts[state.slug] = (state.approval.pdf_sha256, text)
        published[state.slug] = state.approval.pdf_sha256
    try:
        index = _index(
            year, templates, letters, figures, figure_files, CORRECTIONS if corrections else None
        )
    except jinja2.TemplateError as error:
        report.error = f"{templates.dir / INDEX_TEMPLATE}: {error}; nothing published"
        return None
    files = {name: data for letter in letters for name, data in letter.files.items()}
    for suffix, name in figure_files.items():
        files[name] = WRITERS[suffix](figures)  # as `export` writes them
    if corrections:  # every correction of the year's published letters, this one's or earlier
        names = {slug: letter.name for slug, letter in year.letters.items()}
        pdfs = {slug: publication_name(slug, year.year, ".pdf") for slug in year.letters}
        files[CORRECTIONS] = corrections_csv(corrections, names, pdfs).encode("utf-8")
    files[INDEX] = index.encode("utf-8")
    return Bundle(files, published, corrections, corrected, texts)


def _sort_key(year: YearState, slug: str) -> tuple[str, str, str]:
    council = year.prepared.letters[slug].council
    return (*sort_key(council.name, council.sort_name), slug)


def publish(
    year: YearState,
    templates: Templates,
    out_dir: Path,
    target: Path,
    today: dt.date,
    base_url: str | None = None,
) -> PublishReport:
    """Publish the year into target/<year>/ (see the module's docstring). `base_url`, the
    address `target` is served at (ending in "/"), adds each letter's address to the
    figures."""
    folder = target / str(year.year)
    report = PublishReport(folder)
    if not year.letters:
        return report
    bundle = bundle_files(year, templates, out_dir, base_url, report)
    if bundle is None:
        return report
    files = bundle.files
    year_record = year.prepared.records.year_record
    assert year_record is not None
    if today < year_record.publication_date:
        report.early = year_record.publication_date

    ensure_output_folder(folder)
    with folder_lock(folder, f"another publish into {folder} is running: let it finish"):
        found = survey(folder, load_record(folder, year.year), list(files))
        report.stopped = found.stopped
        if found.foreign:
            report.foreign = found.foreign
            return report
        for leftover in folder.iterdir():  # a stopped run's temporary files
            if is_own_temporary(leftover):
                leftover.unlink(missing_ok=True)
        new = {name: sha256_bytes(data) for name, data in files.items()}
        write_record(folder, FolderRecord(year=year.year, files=found.own, writing=new))
        for name, data in files.items():
            write_atomic(folder / name, data)
            report.written.append(folder / name)
        write_record(folder, FolderRecord(year=year.year, files={**found.own, **new}))
    report.left_over = _letters_not_in(folder, year.year, set(report.written))

    for slug, (pdf_sha256, text) in bundle.texts.items():
        keep_released_text(year.year_dir, slug, pdf_sha256, text)
    write_published(year.year_dir, bundle.published, bundle.corrections)
    report.corrected = bundle.corrected
    return report
