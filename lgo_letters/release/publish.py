"""The bundle the website needs on the publication date: every approved letter (PDF and
HTML) under its public name, the year's figures as CSV and JSON, and an index.html.

All or nothing: a year with any letter that is a draft, unapproved or changed since its
approval publishes nothing (the figures table would carry its unconfirmed numbers). The
same inputs give the same bytes: nothing in the bundle depends on the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from lgo_letters.build.inputs import sha256_bytes
from lgo_letters.build.manifest import Manifest
from lgo_letters.exchange.table import YearTable, write_table, year_table
from lgo_letters.output import write_atomic
from lgo_letters.release.corrections import (
    corrections_csv,
    keep_released_text,
    publication_correction,
)
from lgo_letters.release.ledgers import (
    load_published,
    load_published_corrections,
    write_published,
)
from lgo_letters.release.message import publication_name
from lgo_letters.release.state import YearState, why_not_released
from lgo_letters.release.text import letter_text
from lgo_letters.renderer import Templates

INDEX_TEMPLATE = "publish/index.html.j2"
CORRECTIONS = "corrections.csv"  # published letters replaced by corrected ones
# Contacts are for sending, not for the public figures; the bundle names its own files.
PRIVATE_COLUMNS = frozenset({"email", "cc", "html_file", "pdf_file"})


@dataclass
class PublishReport:
    refused: dict[str, str] = field(default_factory=dict)  # slug → why it cannot go out
    written: list[Path] = field(default_factory=list)
    early: dt.date | None = None  # the publication date, when run before it
    error: str = ""  # why the bundle could not be made (a template error)
    # Letters of this year already in the target folder that this bundle does not have
    # (a council whose record has gone): left as they are, and named.
    left_over: list[Path] = field(default_factory=list)
    corrected: list[str] = field(default_factory=list)  # published letters now replaced


def public_table(table: YearTable) -> YearTable:
    columns = tuple(c for c in table.columns if c.name not in PRIVATE_COLUMNS)
    rows = tuple({c.name: row[c.name] for c in columns} for row in table.rows)
    return YearTable(table.year, columns, rows)


def _letters_not_in(target: Path, year: int, bundle: set[Path]) -> list[Path]:
    """Files in `target` named as this year's published letters that are not in `bundle`."""
    return sorted(
        file
        for suffix in (".pdf", ".html")
        for file in target.glob(publication_name("*", year, suffix))
        if file not in bundle
    )


def _size(size: int) -> str:
    return f"{max(1, round(size / 1024))} KB"


def publish(
    year: YearState, templates: Templates, out_dir: Path, target: Path, today: dt.date
) -> PublishReport:
    report = PublishReport()
    for slug, letter in year.letters.items():
        reason = why_not_released(letter)
        if reason is not None:
            report.refused[slug] = reason
    if report.refused or not year.letters:
        return report
    year_record = year.prepared.records.year_record
    assert year_record is not None
    if today < year_record.publication_date:
        report.early = year_record.publication_date

    letters = []
    for slug, letter in year.letters.items():
        assert letter.approval is not None
        files = {}
        for suffix, approved in (
            (".pdf", letter.approval.pdf_sha256),
            (".html", letter.approval.html_sha256),
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
        letters.append((letter, files))
    if report.refused:
        return report

    # Everything is made before anything is written: a template error writes nothing.
    table = public_table(year_table(year.prepared, Manifest.load(out_dir, year.year)))
    figures = {suffix: f"annual-review-figures-{year.year}{suffix}" for suffix in (".csv", ".json")}
    entries = []
    for letter, files in sorted(letters, key=lambda item: item[0].name.casefold()):
        pdf, html = (publication_name(letter.slug, year.year, s) for s in (".pdf", ".html"))
        entries.append(
            {"name": letter.name, "pdf": pdf, "pdf_size": _size(len(files[pdf])), "html": html}
        )
    try:
        index = templates.env.get_template(INDEX_TEMPLATE).render(
            year=year.year,
            period_end=next(iter(year.prepared.letters.values())).period_end,
            publication_date=year_record.publication_date,
            letters=entries,
            figures=figures,
        )
    except jinja2.TemplateError as error:
        report.error = f"{templates.dir / INDEX_TEMPLATE}: {error}; nothing published"
        return report

    for _letter, files in letters:
        for name, payload in files.items():
            write_atomic(target / name, payload)
            report.written.append(target / name)
    for name in figures.values():
        write_table(table, target / name)
        report.written.append(target / name)
    write_atomic(target / "index.html", index)
    report.written.append(target / "index.html")

    published = load_published(year.year_dir)
    corrections = load_published_corrections(year.year_dir)
    for letter, _files in letters:
        assert letter.approval is not None
        text, before = letter_text(letter.html), published.get(letter.slug)
        if before is not None and before != letter.approval.pdf_sha256:
            corrections.append(publication_correction(year.year_dir, letter, before, text))
            report.corrected.append(letter.slug)
        keep_released_text(year.year_dir, letter.slug, letter.approval.pdf_sha256, text)
        published[letter.slug] = letter.approval.pdf_sha256
    if corrections:  # every correction of the year's published letters, this one's or earlier
        names = {slug: letter.name for slug, letter in year.letters.items()}
        pdfs = {slug: publication_name(slug, year.year, ".pdf") for slug in year.letters}
        write_atomic(target / CORRECTIONS, corrections_csv(corrections, names, pdfs))
        report.written.append(target / CORRECTIONS)
    report.left_over = _letters_not_in(target, year.year, set(report.written))
    write_published(year.year_dir, published, corrections)
    return report
