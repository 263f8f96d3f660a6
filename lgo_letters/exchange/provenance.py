"""data/<year>/provenance.yaml: where each imported value came from.

`import` records, for every value a file gives a record, the spreadsheet it came from (its
name and sha256, who imported it and when) and the cell (sheet and cell; a CSV file's line
and column). One entry per council per field; a later import of the field replaces it. The
file is YAML (in JSON's flow style, which JSON's fast parser reads too), one entry a line,
so that it reads and diffs well in git; it is
written by `import` together with the records it describes (all or none, see
lgo_letters.filesets) and read by `trace`.

```yaml
{
"sources": {
 "figures-2022.xlsx@3f2a9c1b0d4e": {"file": "figures-2022.xlsx", "sha256": "3f2a…", …}
},
"councils": {
 "dartford": {
  "statistics.upheld": {"value": 44, "source": "figures-2022.xlsx@3f2a9c1b0d4e", …}
 }
}
}
```
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from lgo_letters.errors import InputError
from lgo_letters.schema.errors import problem_at, problems_from_validation
from lgo_letters.schema.yaml_reader import MAX_FILE_BYTES, read_regular_file, read_yaml

PROVENANCE = "provenance.yaml"
_HEADER = """\
# Where each imported value came from, written by `lgo-letters import` with the records
# (see `lgo-letters trace YEAR SLUG`): the spreadsheet (its sha256, who imported it, when)
# and the cell. Commit it with the records; do not edit it by hand.
"""

Value = int | str | list[str]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class SourceFile(_Entry):
    """One imported file."""

    file: str  # its name, as given (without its folder)
    sha256: str
    at: str  # ISO 8601, UTC: when it was imported
    by: str


class Origin(_Entry):
    """One value's cell."""

    value: Value
    source: str  # a key of `sources`
    sheet: str | None = None  # XLSX
    cell: str | None = None  # XLSX: E158
    line: int | None = None  # CSV: the line of the row
    column: str | None = None  # the column's header


class Provenance(_Entry):
    sources: dict[str, SourceFile] = {}
    councils: dict[str, dict[str, Origin]] = {}

    def origin(self, slug: str, field: str) -> tuple[Origin, SourceFile] | None:
        """Where `field` of `slug`'s record came from at its last import, if it was."""
        origin = self.councils.get(slug, {}).get(field)
        if origin is None or origin.source not in self.sources:
            return None
        return origin, self.sources[origin.source]


@dataclass(frozen=True)
class Given:
    """A value one import gives a record's field, and its cell (sheet None: a CSV file,
    whose `line` locates the row)."""

    value: Value
    file: Path
    sha256: str
    sheet: str | None
    cell: str | None
    line: int | None
    column: str


def source_key(file: Path, sha256: str) -> str:
    return f"{file.name}@{sha256[:12]}"


def load_provenance(year_dir: Path) -> Provenance:
    """The year's provenance (empty when there is none); InputError (file, line, field)
    for a damaged file."""
    file = year_dir / PROVENANCE
    if not file.exists():
        return Provenance()
    fast = _read_fast(file)
    if fast is not None:
        return fast
    document = read_yaml(file)
    if document.data is None:
        return Provenance()
    if not isinstance(document.data, dict):
        raise InputError([problem_at(document, "", "the file must hold a mapping of keys")])
    try:
        return Provenance.model_validate(document.data)
    except ValidationError as error:
        raise InputError(problems_from_validation(error, document, Provenance)) from None


def _read_fast(file: Path) -> Provenance | None:
    """The file as `import` writes it — YAML in JSON's flow style, which JSON's C parser
    reads in milliseconds where a YAML parser takes a second for 340 councils — when it is
    exactly that and validates; None otherwise (a hand-edited file), for the located
    reading."""
    try:
        text = read_regular_file(file, MAX_FILE_BYTES).decode("utf-8")
        if len(text) > MAX_FILE_BYTES:
            return None
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        return Provenance.model_validate(json.loads(body) if body.strip() else {})
    except (OSError, ValueError):
        return None


def updated_provenance(
    provenance: Provenance,
    given: Mapping[str, Mapping[str, Given]],
    keep: set[str],
    at: str,
    by: str,
) -> Provenance:
    """`provenance` with every value in `given` (slug → field → Given) recorded, replacing
    the field's earlier entry unless it says the same (same value, file and cell: a file
    imported again changes nothing); councils not in `keep` (no record any more) dropped,
    and sources no entry names."""
    sources = dict(provenance.sources)
    councils = {slug: dict(fields) for slug, fields in provenance.councils.items() if slug in keep}
    for slug, fields in given.items():
        entries = councils.setdefault(slug, {})
        for field, value in fields.items():
            key = source_key(value.file, value.sha256)
            origin = Origin(
                value=value.value,
                source=key,
                sheet=value.sheet,
                cell=value.cell,
                line=value.line,
                column=value.column,
            )
            if entries.get(field) == origin:
                continue
            entries[field] = origin
            if key not in sources:
                sources[key] = SourceFile(file=value.file.name, sha256=value.sha256, at=at, by=by)
    named = {o.source for fields in councils.values() for o in fields.values()}
    return Provenance(
        sources={k: v for k, v in sorted(sources.items()) if k in named},
        councils={slug: dict(sorted(f.items())) for slug, f in sorted(councils.items()) if f},
    )


def provenance_text(provenance: Provenance) -> str:
    """The file's text: sources, then councils by slug, one entry a line. It is YAML in
    JSON's flow style (a YAML reader reads it as YAML; JSON's parser reads it fast)."""
    body = provenance.model_dump(exclude_none=True)

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    def entries(mapping: dict[str, Any], indent: str) -> str:
        return ",\n".join(f"{indent}{dump(key)}: {dump(value)}" for key, value in mapping.items())

    councils = ",\n".join(
        f" {dump(slug)}: {{\n{entries(fields, '  ')}\n }}"
        for slug, fields in body["councils"].items()
    )
    return (
        _HEADER
        + '{\n"sources": {\n'
        + entries(body["sources"], " ")
        + '\n},\n"councils": {\n'
        + councils
        + "\n}\n}\n"
    )
