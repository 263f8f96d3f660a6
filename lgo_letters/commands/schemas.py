"""`lgo-letters formats schema YEAR`: JSON schemas of the year's files, for editors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lgo_letters.errors import Outcome, Result, UsageError
from lgo_letters.output import ensure_output_folder, write_atomic
from lgo_letters.project import Paths
from lgo_letters.report import out
from lgo_letters.schema.editor import editor_schemas
from lgo_letters.schema.loader import load_year_format


@dataclass(frozen=True)
class SchemaOptions:
    """`formats schema`: the folder to write to (None: <out>/schema/<year>/)."""

    to: Path | None = None


def run_formats_schema(paths: Paths, year: int, options: SchemaOptions) -> Result:
    target = options.to
    if not (paths.templates / str(year)).is_dir():
        raise UsageError(f"no format for {year}: no folder {paths.templates / str(year)}")
    year_format = load_year_format(paths.templates, year)
    folder = target if target is not None else paths.out / "schema" / str(year)
    ensure_output_folder(folder)
    for name, text in editor_schemas(year_format).items():
        write_atomic(folder / name, text)
        out.print(str(folder / name), markup=False)
    return Outcome.OK
