"""The `lgo-letters` command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from lgo_letters import __version__
from lgo_letters.project import Paths, UsageError
from lgo_letters.report import err, report_internal_error

app = typer.Typer(
    help="Annual review letters of the Local Government and Social Care Ombudsman: "
    "YAML records to HTML and PDF.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DataDir = Annotated[Path, typer.Option("--data", help="Folder of <year>/ record folders.")]
TemplatesDir = Annotated[Path, typer.Option("--templates", help="Folder of letter templates.")]
OutDir = Annotated[Path, typer.Option("--out", help="Where letters are written: <out>/<year>/.")]
Year = Annotated[int, typer.Argument(help="Letter year: the year whose 31 March ends the period.")]


def _run(command, *args) -> None:
    """Run a command function and exit with its code; usage problems exit 2."""
    try:
        code = command(*args)
    except UsageError as error:
        err.print(f"error: {error}", markup=False)
        raise typer.Exit(2) from None
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        print(f"lgo-letters {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Annual review letters: YAML records → HTML and PDF."""


@app.command()
def build(
    year: Year,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Build only this council (repeatable).")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="html, pdf or both.", case_sensitive=False)
    ] = "both",
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Worker processes (default: the CPU count)."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Rebuild every letter, changed or not.")
    ] = False,
    clean: Annotated[
        bool, typer.Option("--clean", help="Remove letters of councils no longer in the data.")
    ] = False,
    combined: Annotated[
        bool, typer.Option("--combined", help="Also write one PDF of the whole year.")
    ] = False,
    data: DataDir = Path("data"),
    templates: TemplatesDir = Path("templates"),
    out: OutDir = Path("output"),
) -> None:
    """Build every council's letter for YEAR into <out>/<year>/<slug>.html and .pdf.

    Only letters whose inputs changed are rebuilt; <out>/<year>/manifest.json records them.
    """
    from lgo_letters.build import BuildOptions
    from lgo_letters.build.pool import default_jobs
    from lgo_letters.commands.build import FORMATS, run_build

    if fmt.lower() not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}", param_hint="--format")
    options = BuildOptions(
        only=tuple(only or ()),
        fmt=fmt.lower(),
        jobs=jobs or default_jobs(),
        force=force,
        clean=clean,
        combined=combined,
    )
    _run(run_build, Paths(data, templates, out), year, options)


@app.command()
def preview(
    year: Year,
    slug: Annotated[str, typer.Argument(help="The council's slug: its record's file name.")],
    pdf: Annotated[bool, typer.Option("--pdf", help="Also write the PDF.")] = False,
    png: Annotated[
        bool, typer.Option("--png", help="Also write the PDF and each page as <slug>-pageN.png.")
    ] = False,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the letter in the default browser.")
    ] = False,
    data: DataDir = Path("data"),
    templates: TemplatesDir = Path("templates"),
    out: OutDir = Path("output"),
) -> None:
    """Write one council's letter at once and print its path."""
    from lgo_letters.commands.preview import run_preview

    _run(run_preview, Paths(data, templates, out), year, slug, pdf, open_browser, png)


@app.command()
def serve(
    year: Year,
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free one).")
    ] = 8000,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the index in the default browser.")
    ] = False,
    data: DataDir = Path("data"),
    templates: TemplatesDir = Path("templates"),
) -> None:
    """Serve YEAR's letters on 127.0.0.1, reloading open pages whenever a file is saved."""
    from lgo_letters.commands.serve import run_serve

    _run(run_serve, Paths(data, templates), year, port, open_browser)


@app.command()
def validate(
    years: Annotated[
        list[int] | None, typer.Argument(help="Years to check (default: every year in data/).")
    ] = None,
    data: DataDir = Path("data"),
    templates: TemplatesDir = Path("templates"),
) -> None:
    """Check every record and report all problems at once as file:line:col: field: message."""
    from lgo_letters.commands.validate import run_validate

    _run(run_validate, Paths(data, templates), years or [])


@app.command()
def averages(
    year: Year,
    data: DataDir = Path("data"),
    templates: TemplatesDir = Path("templates"),
) -> None:
    """Show each authority type's averages: given in year.yaml and computed from the records."""
    from lgo_letters.commands.averages import run_averages

    _run(run_averages, Paths(data, templates), year)


@app.command()
def export(
    year: Year,
    to: Annotated[Path, typer.Option("--to", help="The file to write: .csv, .xlsx or .json.")],
    data: DataDir = Path("data"),
    templates: TemplatesDir = Path("templates"),
    out: Annotated[
        Path, typer.Option("--out", help="Where the built letters are (for their sha256).")
    ] = Path("output"),
) -> None:
    """Write the year's figures, one row per council, as every letter prints them."""
    from lgo_letters.commands.export import run_export

    _run(run_export, Paths(data, templates, out), year, to)


@app.command()
def check(
    years: Annotated[
        list[int] | None, typer.Argument(help="Years to check (default: every year with cases).")
    ] = None,
    update: Annotated[
        bool, typer.Option("--update", help="Rewrite the golden files and list what changed.")
    ] = False,
    data: DataDir = Path("data"),
    templates: TemplatesDir = Path("templates"),
    golden: Annotated[
        Path, typer.Option("--golden", help="Folder of golden files: <golden>/<year>/<slug>/.")
    ] = Path("tests/golden"),
    cases: Annotated[
        Path, typer.Option("--cases", help="Folder of edge-case records: <cases>/<year>/councils/.")
    ] = Path("tests/golden_cases"),
    out: Annotated[
        Path, typer.Option("--out", help="Diff images go to <out>/golden-diff/.")
    ] = Path("output"),
) -> None:
    """Render every golden case afresh and compare it with its golden files (exit 1 on change)."""
    from lgo_letters.commands.check import run_check
    from lgo_letters.golden import GoldenPaths

    _run(run_check, GoldenPaths(Paths(data, templates, out), golden, cases), years or [], update)


# Exit code for a fault in the program itself (BSD's EX_SOFTWARE); 1 is bad records,
# 2 is a command that cannot run as asked.
INTERNAL_ERROR = 70


def main() -> None:
    try:
        app()
    except Exception as error:  # the last guard: no traceback ever reaches the user
        report_internal_error(error)
        sys.exit(INTERNAL_ERROR)
