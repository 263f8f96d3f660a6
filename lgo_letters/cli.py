"""The `lgo-letters` command line: options, and the one place errors become exit codes."""

from __future__ import annotations

import functools
import inspect
import logging
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from lgo_letters import __version__
from lgo_letters.errors import (
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_USAGE,
    InputError,
    OutputError,
    TemplateError,
    UsageError,
)
from lgo_letters.project import Paths, keep_years_frozen
from lgo_letters.report import err, print_problems, report_internal_error

app = typer.Typer(
    help="Annual review letters of the Local Government and Social Care Ombudsman: "
    "YAML records to HTML and PDF.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

Year = Annotated[int, typer.Argument(help="Letter year: the year whose 31 March ends the period.")]

# The folders every command works on, declared once (see `with_paths`).
_DATA = Annotated[Path, typer.Option("--data", help="Folder of <year>/ record folders.")]
_TEMPLATES = Annotated[Path, typer.Option("--templates", help="Folder of letter templates.")]
_OUT_HELP = "Where letters are written: <out>/<year>/."


# Warnings (an incomplete year, averages pooled from records) fail validate and build.
_STRICT = Annotated[
    bool,
    typer.Option(
        "--strict", help="Fail on warnings: an incomplete year, averages pooled from records."
    ),
]


class OutputFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    both = "both"


def with_paths(out: str | None = _OUT_HELP) -> Callable[[Callable[..., int]], Callable[..., None]]:
    """Make a command of `run(paths: Paths, ...) -> exit code`: it gets --data, --templates
    and (unless `out` is None; `out` is its help) --out, and its errors become exit codes
    in `handle_errors`."""

    def decorate(command: Callable[..., int]) -> Callable[..., None]:
        signature = inspect.signature(command, eval_str=True)
        options: dict[str, tuple[object, Path]] = {
            "data": (_DATA, Path("data")),
            "templates": (_TEMPLATES, Path("templates")),
        }
        if out is not None:
            option = typer.Option("--out", help=out)
            options["out"] = (Annotated[Path, option], Path("output"))
        parameters = [p for p in signature.parameters.values() if p.name != "paths"] + [
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind
            )
            for name, (kind, default) in options.items()
        ]

        @functools.wraps(command)
        def run(*args: Any, data: Path, templates: Path, out: Path = Path("output"), **kw: Any):
            paths = Paths(data, templates, out)
            raise typer.Exit(handle_errors(lambda: command(paths, *args, **kw)))

        run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in parameters}
        del run.__wrapped__  # typer must read the signature above, not the command's
        return run

    return decorate


def handle_errors(command: Callable[[], int]) -> int:
    """Run a command; its exit code, or the one its error means (see lgo_letters.errors)."""
    try:
        return command()
    except UsageError as error:
        err.print(f"error: {error}", markup=False)
        return EXIT_USAGE
    except InputError as error:
        print_problems(error.problems)
        return EXIT_FAILED
    except (OutputError, TemplateError) as error:
        err.print(f"error: {error}", markup=False)
        return EXIT_FAILED
    except Exception as error:  # the last guard: no traceback ever reaches the user
        report_internal_error(error)
        return EXIT_INTERNAL


class _ToTerminal(logging.Handler):
    """What the library logs reaches the person as plain lines on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        err.print(self.format(record), markup=False)


def _show_library_logs() -> None:
    logger = logging.getLogger("lgo_letters")
    if not any(isinstance(h, _ToTerminal) for h in logger.handlers):
        logger.addHandler(_ToTerminal())
        logger.setLevel(logging.INFO)
        logger.propagate = False


def _version(value: bool) -> None:
    if value:
        print(f"lgo-letters {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    context: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Annual review letters: YAML records → HTML and PDF."""
    _show_library_logs()
    if context.invoked_subcommand != "serve":  # the one command that reads years again and again
        keep_years_frozen()


@app.command()
@with_paths()
def build(
    paths: Paths,
    year: Year,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Build only this council (repeatable).")
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="html, pdf or both.", case_sensitive=False)
    ] = OutputFormat.both,
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
        bool,
        typer.Option(
            "--combined",
            help="Also write one PDF of the year's final letters, for printing (drafts left out).",
        ),
    ] = False,
    strict: _STRICT = False,
) -> int:
    """Build every council's letter for YEAR into <out>/<year>/<slug>.html and .pdf.

    Only letters whose inputs changed are rebuilt; <out>/<year>/manifest.json records them.
    """
    from lgo_letters.build import BuildOptions
    from lgo_letters.commands.build import run_build
    from lgo_letters.layout.pool import default_jobs

    options = BuildOptions(
        only=tuple(only or ()),
        fmt=fmt.value,
        jobs=jobs or default_jobs(),
        force=force,
        clean=clean,
        combined=combined,
        strict=strict,
    )
    return run_build(paths, year, options)


@app.command()
@with_paths()
def preview(
    paths: Paths,
    year: Year,
    slug: Annotated[str, typer.Argument(help="The council's slug: its record's file name.")],
    pdf: Annotated[bool, typer.Option("--pdf", help="Also write the PDF.")] = False,
    png: Annotated[
        bool, typer.Option("--png", help="Also write the PDF and each page as <slug>-pageN.png.")
    ] = False,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the letter in the default browser.")
    ] = False,
    sources: Annotated[
        bool,
        typer.Option(
            "--sources",
            help="Also write <slug>.sources.html: the letter beside where each figure came "
            "from (on screen only; never in the letter's files or PDF).",
        ),
    ] = False,
) -> int:
    """Write one council's letter at once and print its path."""
    from lgo_letters.commands.preview import run_preview

    return run_preview(paths, year, slug, pdf, open_browser, png, sources)


@app.command()
@with_paths(out="Where the letters are built (read by --review for their state).")
def serve(
    paths: Paths,
    year: Year,
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free one).")
    ] = 8000,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the index in the default browser.")
    ] = False,
    review: Annotated[
        bool,
        typer.Option(
            "--review",
            help="The review desk: each letter's state, figures and flags; approve and "
            "unapprove in the browser (the only way serve writes).",
        ),
    ] = False,
) -> int:
    """Serve YEAR's letters on 127.0.0.1, reloading open pages whenever a file is saved."""
    from lgo_letters.commands.serve import run_serve

    return run_serve(paths, year, port, open_browser, review)


@app.command()
@with_paths(out="Where the records cache is kept, in <out>/.cache/<year>/.")
def validate(
    paths: Paths,
    years: Annotated[
        list[int] | None, typer.Argument(help="Years to check (default: every year in data/).")
    ] = None,
    strict: _STRICT = False,
) -> int:
    """Check every record and report all problems at once as file:line:col: field: message."""
    from lgo_letters.commands.validate import run_validate

    return run_validate(paths, years or [], strict)


@app.command()
@with_paths(out=None)
def averages(paths: Paths, year: Year) -> int:
    """Show each authority type's averages: given in year.yaml and computed from the records."""
    from lgo_letters.commands.averages import run_averages

    return run_averages(paths, year)


@app.command(name="new-year")
@with_paths(out=None)
def new_year(
    paths: Paths,
    year: Year,
    previous: Annotated[
        int, typer.Option("--from", help="The year to carry over (templates, records, facts).")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be created; write nothing.")
    ] = False,
) -> int:
    """Start YEAR from PREVIOUS: its templates, year.yaml, records without figures (draft)
    and golden edge cases, and the checklist of every figure, date and field to look at.
    Never overwrites."""
    from lgo_letters.commands.newyear import run_new_year

    return run_new_year(paths, year, previous, dry_run)


formats_app = typer.Typer(help="Years' letter formats: what changed between two.")
app.add_typer(formats_app, name="formats")


@formats_app.command("diff")
@with_paths(out=None)
def formats_diff(
    paths: Paths,
    year_a: Annotated[int, typer.Argument(help="The earlier year.")],
    year_b: Annotated[int, typer.Argument(help="The later year.")],
    council: Annotated[
        str | None,
        typer.Option(
            "--council",
            help="A council's record (slug in YEAR_B's data, else YEAR_A's); default: a "
            "made-up council that reaches every optional paragraph.",
        ),
    ] = None,
) -> int:
    """The wording difference of the same council's letter in two years' formats, sentence
    by sentence, and the difference of their format.yaml files."""
    from lgo_letters.commands.formats import run_formats_diff

    return run_formats_diff(paths, year_a, year_b, council)


@formats_app.command("schema")
@with_paths(out="The schemas go to <out>/schema/<year>/ unless --to is given.")
def formats_schema(
    paths: Paths,
    year: Year,
    to: Annotated[
        Path | None, typer.Option("--to", help="The folder to write the schemas to.")
    ] = None,
) -> int:
    """JSON schemas of the year's council records, year.yaml and format.yaml, for editors
    that check YAML as it is typed."""
    from lgo_letters.commands.schemas import run_formats_schema

    return run_formats_schema(paths, year, to)


@app.command(name="import")
@with_paths(out=None)
def import_(
    paths: Paths,
    year: Year,
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help="CSV or XLSX files: figures, contacts (joined on the council). None: only "
            "finish or roll back an interrupted import."
        ),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="The sheet of an XLSX file (default: the first).")
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="YAML: column header → field, type value → authority type."),
    ] = None,
    create: Annotated[
        bool, typer.Option("--create", help="Make a record for a row that matches none.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would change; write nothing.")
    ] = False,
    allow_approved: Annotated[
        bool,
        typer.Option(
            "--allow-approved", help="Also change councils whose letters are approved or sent."
        ),
    ] = False,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Who imports, for provenance.yaml (default: login name)."),
    ] = None,
) -> int:
    """Import figures and contacts from CSV or XLSX into YEAR's records (given fields only);
    where each value came from goes to data/YEAR/provenance.yaml."""
    from lgo_letters.commands.importing import run_import

    return run_import(paths, year, files or [], sheet, mapping, create, dry_run, allow_approved, by)


@app.command()
@with_paths(out=None)
def trace(
    paths: Paths,
    year: Year,
    slug: Annotated[str, typer.Argument(help="The council's slug: its record's file name.")],
    as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False,
) -> int:
    """Every figure the council's letter prints, with where it came from: a spreadsheet cell,
    the record's line, year.yaml, or the records an average is pooled from."""
    from lgo_letters.commands.checking import run_trace

    return run_trace(paths, year, slug, as_json)


@app.command()
@with_paths(out=None)
def compare(
    paths: Paths,
    year: Year,
    previous: Annotated[
        int | None,
        typer.Option("--with", help="The year to compare with (default: the previous one)."),
    ] = None,
    flagged: Annotated[
        bool, typer.Option("--flagged", help="Only councils with a flag (open or checked).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="As CSV.")] = False,
) -> int:
    """Each council's figures and rates this year and last, side by side, and the changes
    that deserve a second look (thresholds in year.yaml `checks:`)."""
    from lgo_letters.commands.checking import run_compare

    if as_json and as_csv:
        raise UsageError("give --json or --csv, not both")
    return run_compare(paths, year, previous, flagged, as_json, as_csv)


@app.command()
@with_paths(out="Where the built letters are (for their sha256).")
def export(
    paths: Paths,
    year: Year,
    to: Annotated[Path, typer.Option("--to", help="The file to write: .csv, .xlsx or .json.")],
    with_previous: Annotated[
        bool,
        typer.Option("--with-previous", help="Add last year's figures and rates as columns."),
    ] = False,
) -> int:
    """Write the year's figures, one row per council, as every letter prints them."""
    from lgo_letters.commands.export import run_export

    return run_export(paths, year, to, with_previous)


@app.command()
@with_paths(out="Diff images and changed PDFs go to <out>/golden-diff/.")
def check(
    paths: Paths,
    years: Annotated[
        list[int] | None, typer.Argument(help="Years to check (default: every year in data).")
    ] = None,
    update: Annotated[
        bool, typer.Option("--update", help="Rewrite the golden files and list what changed.")
    ] = False,
) -> int:
    """Render every golden case afresh and compare it with its golden files in
    data/<year>/golden/ (exit 1 on change)."""
    from lgo_letters.commands.check import run_check
    from lgo_letters.golden import GoldenPaths

    return run_check(GoldenPaths(paths), years or [], update)


Councils = Annotated[
    list[str] | None, typer.Argument(help="Council slugs (their records' file names).")
]


@app.command()
@with_paths()
def approve(
    paths: Paths,
    year: Year,
    slugs: Councils = None,
    every: Annotated[
        bool, typer.Option("--all", help="Approve every letter that can be approved.")
    ] = False,
    by: Annotated[
        str | None, typer.Option("--by", help="Who approves (default: git user name, login).")
    ] = None,
) -> int:
    """Approve built letters as they are now: recorded in data/YEAR/approvals.yaml."""
    from lgo_letters.commands.approve import run_approve

    return run_approve(paths, year, slugs or [], every, by)


@app.command()
@with_paths()
def unapprove(
    paths: Paths,
    year: Year,
    slugs: Annotated[list[str], typer.Argument(help="Council slugs (their records' file names).")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why the approval is withdrawn (kept in the log).")
    ],
    by: Annotated[
        str | None, typer.Option("--by", help="Who withdraws it (default: git user name, login).")
    ] = None,
) -> int:
    """Withdraw approvals until the letter is sent; the reason is kept in the approvals log."""
    from lgo_letters.commands.approve import run_unapprove

    return run_unapprove(paths, year, slugs, reason, by)


@app.command()
@with_paths()
def review(paths: Paths, year: Year, slugs: Councils = None) -> int:
    """For letters changed since approval: why, and their text difference sentence by sentence."""
    from lgo_letters.commands.approve import run_review

    return run_review(paths, year, slugs or [])


@app.command()
@with_paths()
def status(
    paths: Paths,
    year: Year,
    as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="As CSV.")] = False,
    failed: Annotated[
        bool,
        typer.Option("--failed", help="Only the letters whose last sending failed: to retry."),
    ] = False,
) -> int:
    """One line a council: record, draft, built, approved, sent, published; then a summary."""
    from lgo_letters.commands.status import run_status

    if as_json and as_csv:
        raise UsageError("give --json or --csv, not both")
    return run_status(paths, year, as_json, as_csv, failed)


@app.command()
@with_paths()
def send(
    paths: Paths,
    year: Year,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Send only this council (repeatable).")
    ] = None,
    resend: Annotated[
        list[str] | None,
        typer.Option("--resend", help="Send this council's letter again (repeatable)."),
    ] = None,
    smtp: Annotated[
        str | None,
        typer.Option("--smtp", help="HOST:PORT of the mail server; without it, a dry run."),
    ] = None,
    use_ssl: Annotated[bool, typer.Option("--ssl", help="TLS from the start (port 465).")] = False,
    no_tls: Annotated[
        bool, typer.Option("--no-tls", help="No encryption: only to localhost.")
    ] = False,
    user: Annotated[
        str | None,
        typer.Option(
            "--user", help="Log in as this user; password from LGO_LETTERS_SMTP_PASSWORD."
        ),
    ] = None,
    rate: Annotated[
        float | None, typer.Option("--rate", min=0.1, help="At most N messages a minute.")
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            min=0.1,
            help="Seconds the server has for each message (and to connect); past it, the "
            "message fails and the run stops.",
        ),
    ] = 60.0,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also list each letter already sent.")
    ] = False,
) -> int:
    """Email each approved letter to its council, once: a dry run into <out>/YEAR/outbox/
    unless --smtp is given; each attempt is logged in data/YEAR/sent.yaml."""
    from lgo_letters.commands.send import run_send

    return run_send(
        paths, year, only or [], resend or [], smtp, use_ssl, no_tls, user, rate, timeout, verbose
    )


@app.command()
@with_paths()
def publish(
    paths: Paths,
    year: Year,
    to: Annotated[
        Path, typer.Option("--to", help="The website's folder: the bundle goes into DIR/YEAR/.")
    ],
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="The address DIR is served at: the figures then give each letter's URL.",
        ),
    ] = None,
) -> int:
    """Write the website's bundle into DIR/YEAR/: every approved letter (PDF, HTML), the
    public figures as CSV and JSON, and an index.html; refuses while any letter is a draft
    or not approved, and never replaces a file it did not write."""
    from lgo_letters.commands.publish import run_publish

    return run_publish(paths, year, to, base_url)


def main() -> None:
    try:
        app()
    except Exception as error:  # outside any command (typer itself): still no traceback
        report_internal_error(error)
        sys.exit(EXIT_INTERNAL)
