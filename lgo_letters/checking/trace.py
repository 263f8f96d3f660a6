"""Every figure a council's letter prints, and where it came from.

Each count of the year's format, each rate with its part and whole, each similar-authority
average (given in year.yaml with its line, or pooled from the year's records with the sums
and the councils it pools) and each fact of year.yaml. A record's value came from a
spreadsheet cell when the year's provenance.yaml (written by `import`) says so and the
record still holds that value; "changed by hand since the import" when it no longer does;
otherwise it was typed in the record, at its line. `trace`, `preview --sources` and the
review desk all use `trace_letter`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lgo_letters.context.averages import record_count
from lgo_letters.errors import InputError, UsageError
from lgo_letters.exchange.provenance import Provenance, load_provenance
from lgo_letters.project import Paths, PreparedYear, prepare_year
from lgo_letters.schema.yaml_reader import YamlDocument, read_yaml


@dataclass(frozen=True)
class Traced:
    """One figure: its field, its value as the letter uses it, where it came from (a
    mapping with `kind` and the file, sheet, cell or line), and that said in words."""

    field: str
    value: Any
    source: dict[str, Any]
    said: str

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "value": self.value, "source": self.source}


def _line(document: YamlDocument | None, path: str) -> int | None:
    if document is None:
        return None
    return document.locate(tuple(path.split(".")))[0]


def _document(file: Path) -> YamlDocument | None:
    try:
        return read_yaml(file)
    except InputError:
        return None


def record_source(
    provenance: Provenance, slug: str, path: str, value: Any, file: Path, line: int | None
) -> tuple[dict[str, Any], str]:
    """Where the value of `path` in `slug`'s record came from, as a mapping and in words."""
    at = f"{file}:{line}" if line else str(file)
    found = provenance.origin(slug, path)
    if found is None:
        return {"kind": "record", "file": str(file), "line": line}, f"typed in {at}"
    origin, source = found
    cell = (
        f"{source.file}[{origin.sheet}]!{origin.cell}"
        if origin.sheet
        else (f"{source.file}:{origin.line}")
    )
    imported = {
        "kind": "import",
        "file": source.file,
        "sha256": source.sha256,
        "sheet": origin.sheet,
        "cell": origin.cell,
        "line": origin.line,
        "column": origin.column,
        "at": source.at,
        "by": source.by,
    }
    if origin.value == value:
        return imported, f"{cell} (column {origin.column!r}; imported {source.at} by {source.by})"
    changed = {
        "kind": "changed",
        "file": str(file),
        "line": line,
        "was": origin.value,
        "import": imported,
    }
    return changed, f"changed by hand since the import of {cell} (was {origin.value}): {at}"


def trace_prepared(prepared: PreparedYear, slug: str, provenance: Provenance) -> list[Traced]:
    """The figures of `slug`'s letter in a prepared year, with their sources."""
    letter = prepared.letters.get(slug)
    if letter is None:
        problems = "; ".join(str(p) for p in prepared.problems if p.file.stem == slug)
        raise UsageError(f"{slug}: no letter can be made ({problems or 'no record'})")
    declared = prepared.letter_format.format.declared
    record_file = prepared.record_file(slug)
    record_doc = _document(record_file)
    year_file = prepared.records.year_file
    year_doc = _document(year_file)
    council = letter.council
    traced: list[Traced] = []
    paths = declared.counts
    for name, path in paths.items():
        if name in declared.fields and getattr(council, name, None) is None:
            continue  # an optional count the record does not give: not printed
        value = record_count(council, name)
        source, said = record_source(
            provenance, slug, path, value, record_file, _line(record_doc, path)
        )
        traced.append(Traced(path, value, source, said))
    for name, rate in declared.averages.items():
        figure = letter.rate(name)
        part, whole = paths[rate.part], paths[rate.whole]
        shown = "no cases" if figure.percent is None else f"{figure.percent}%"
        traced.append(
            Traced(
                f"rates.{name}",
                figure.percent,
                {
                    "kind": "rate",
                    "part": part,
                    "whole": whole,
                    "part_value": figure.part,
                    "whole_value": figure.whole,
                },
                f"{shown} = {figure.part} ({part}) of {figure.whole} ({whole}), half up",
            )
        )
        key = f"averages.{council.type}.{name}"
        type_averages = prepared.averages.get(council.type)
        if type_averages is not None and type_averages.source == "given":
            line = _line(year_doc, key)
            at = f"{year_file}:{line}" if line else str(year_file)
            traced.append(
                Traced(
                    key,
                    figure.average,
                    {"kind": "year", "file": str(year_file), "line": line},
                    f"given in {at}",
                )
            )
        else:
            pooled = sorted(
                s for s, e in prepared.records.councils.items() if e.record.type == council.type
            )
            records = [prepared.records.councils[s].record for s in pooled]
            part_sum = sum(record_count(r, rate.part) for r in records)
            whole_sum = sum(record_count(r, rate.whole) for r in records)
            traced.append(
                Traced(
                    key,
                    figure.average,
                    {
                        "kind": "pooled",
                        "part_sum": part_sum,
                        "whole_sum": whole_sum,
                        "councils": pooled,
                    },
                    f"pooled from {len(pooled)} {council.type} record(s): {part_sum} of "
                    f"{whole_sum} ({', '.join(pooled)})",
                )
            )
    for name, value in letter.facts.items():
        key = f"facts.{name}"
        line = _line(year_doc, key)
        at = f"{year_file}:{line}" if line else str(year_file)
        shown_value = value.isoformat() if hasattr(value, "isoformat") else value
        traced.append(
            Traced(
                key,
                shown_value,
                {"kind": "year", "file": str(year_file), "line": line},
                f"given in {at}",
            )
        )
    return traced


def trace_letter(paths: Paths, year: int, slug: str) -> list[Traced]:
    """Every figure of `slug`'s letter of `year`, with its source."""
    prepared = prepare_year(paths, year, [slug])
    return trace_prepared(prepared, slug, load_provenance(paths.data / str(year)))


def sources_panel(traced: list[Traced]) -> str:
    """The figures and their sources as an HTML <aside>, for a page shown on screen only
    (`preview --sources`, the review desk): never part of a letter's file or its PDF."""
    rows = "".join(
        f"<tr><th scope='row'>{html.escape(t.field)}</th><td>{html.escape(str(t.value))}</td>"
        f"<td>{html.escape(t.said)}</td></tr>"
        for t in traced
    )
    return (
        "<aside class='lgo-sources' aria-label='Where each figure came from' style='"
        "position:fixed;top:0;right:0;width:34%;height:100%;overflow:auto;background:#fff;"
        "border-left:2px solid #555;font:13px/1.4 sans-serif;padding:8px;z-index:10'>"
        "<h2 style='font-size:15px'>Where each figure came from</h2>"
        "<table><thead><tr><th scope='col'>figure</th><th scope='col'>value</th>"
        f"<th scope='col'>source</th></tr></thead><tbody>{rows}</tbody></table></aside>"
    )


def with_sources(letter_html: str, traced: list[Traced]) -> str:
    """A letter's HTML with the sources panel at the end of its body."""
    panel = sources_panel(traced)
    if "</body>" in letter_html:
        return letter_html.replace("</body>", panel + "</body>", 1)
    return letter_html + panel
