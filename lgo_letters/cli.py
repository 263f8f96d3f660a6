"""The `lgo-letters` command line: its options, each command's one options value, and the
one place a command's result or error becomes a message and an exit code (`handle_errors`,
through errors.exit_code)."""

from __future__ import annotations

import functools
import logging
import signal
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, ParamSpec

import typer

from lgo_letters import __version__
from lgo_letters.errors import (
    InputError,
    Interrupted,
    OutputError,
    Result,
    TemplateError,
    UsageError,
    exit_code,
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

# The folders every command works on: each command ends its options with --data and
# --templates and, where it reads or writes there, --out (its help says what for).
Data = Annotated[Path, typer.Option("--data", help="Folder of <year>/ record folders.")]
Templates = Annotated[Path, typer.Option("--templates", help="Folder of letter templates.")]
Out = Annotated[Path, typer.Option("--out", help="Where letters are written: <out>/<year>/.")]
DATA, TEMPLATES, OUT = Path("data"), Path("templates"), Path("output")


# Warnings (an incomplete year, averages pooled from records) fail validate and build.
Strict = Annotated[
    bool,
    typer.Option(
        "--strict", help="Fail on warnings: an incomplete year, averages pooled from records."
    ),
]


class OutputFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    both = "both"


P = ParamSpec("P")


def exits(command: Callable[P, Result]) -> Callable[P, None]:
    """A command of the command line: it returns its result (or raises one of the errors
    module's kinds), and this ends the process with the exit code that means."""

    @functools.wraps(command)  # typer reads the command's own parameters through this
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        raise typer.Exit(handle_errors(lambda: command(*args, **kwargs)))

    return run


def handle_errors(command: Callable[[], Result]) -> int:
    """Run a command; the exit code of its result, or of the error that stopped it (said
    here: the one place errors become messages)."""
    try:
        return exit_code(command())
    except UsageError as error:
        err.print(f"error: {error}", markup=False)
        return exit_code(error)
    except InputError as error:
        print_problems(error.problems)
        return exit_code(error)
    except (OutputError, TemplateError) as error:
        err.print(f"error: {error}", markup=False)
        return exit_code(error)
    except KeyboardInterrupt:  # Ctrl-C where the command does not say what it left undone
        return exit_code(Interrupted(signal.SIGINT))
    except Exception as error:  # the last guard: no traceback ever reaches the user
        report_internal_error(error)
        return exit_code(error)


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


# Each command: its arguments and options, then --data, --templates (and --out); it builds
# the folders (Paths) and the command's one frozen options value, and returns run_*'s result.
# The command modules are imported inside, so that `--help` does not load them all.


@app.command()
@exits
def build(
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
    strict: Strict = False,
    data: Data = DATA,
    templates: Templates = TEMPLATES,
    out: Out = OUT,
) -> Result:
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
    return run_build(Paths(data, templates, out), year, options)


@app.command()
@exits
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
    sources: Annotated[
        bool,
        typer.Option(
            "--sources",
            help="Also write <slug>.sources.html: the letter beside where each figure came "
            "from (on screen only; never in the letter's files or PDF).",
        ),
    ] = False,
    data: Data = DATA,
    templates: Templates = TEMPLATES,
    out: Out = OUT,
) -> Result:
    """Write one council's letter at once and print its path."""
    from lgo_letters.commands.preview import PreviewOptions, run_preview

    options = PreviewOptions(slug, pdf=pdf, png=png, open_browser=open_browser, sources=sources)
    return run_preview(Paths(data, templates, out), year, options)


@app.command()
@exits
def serve(
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
    data: Data = DATA,
    templates: Templates = TEMPLATES,
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Where the letters are built (read by --review for their state)."
        ),
    ] = OUT,
) -> Result:
    """Serve YEAR's letters on 127.0.0.1, reloading open pages whenever a file is saved."""
    from lgo_letters.commands.serve import ServeOptions, run_serve

    options = ServeOptions(port=port, open_browser=open_browser, review=review)
    return run_serve(Paths(data, templates, out), year, options)


@app.command()
@exits
def validate(
    years: Annotated[
        list[int] | None, typer.Argument(help="Years to check (default: every year in data/).")
    ] = None,
    strict: Strict = False,
    data: Data = DATA,
    templates: Templates = TEMPLATES,
    out: Annotated[
        Path,
        typer.Option("--out", help="Where the records cache is kept, in <out>/.cache/<year>/."),
    ] = OUT,
) -> Result:
    """Check every record and report all problems at once as file:line:col: field: message."""
    from lgo_letters.commands.validate import ValidateOptions, run_validate

    options = ValidateOptions(years=tuple(years or ()), strict=strict)
    return run_validate(Paths(data, templates, out), options)


@app.command()
@exits
def averages(year: Year, data: Data = DATA, templates: Templates = TEMPLATES) -> Result:
    """Show each authority type's averages: given in year.yaml and computed from the records."""
    from lgo_letters.commands.averages import run_averages

    return run_averages(Paths(data, templates, OUT), year)


@app.command(name="new-year")
@exits
def new_year(
    year: Year,
    previous: Annotated[
        int, typer.Option("--from", help="The year to carry over (templates, records, facts).")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be created; write nothing.")
    ] = False,
    data: Data = DATA,
    templates: Templates = TEMPLATES,
) -> Result:
    """Start YEAR from PREVIOUS: its templates, year.yaml, records without figures (draft)
    and golden edge cases, and the checklist of every figure, date and field to look at.
    Never overwrites."""
    from lgo_letters.commands.newyear import NewYearOptions, run_new_year

    options = NewYearOptions(previous=previous, dry_run=dry_run)
    return run_new_year(Paths(data, templates, OUT), year, options)


formats_app = typer.Typer(help="Years' letter formats: what changed between two.")
app.add_typer(formats_app, name="formats")


@formats_app.command("diff")
@exits
def formats_diff(
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
    data: Data = DATA,
    templates: Templates = TEMPLATES,
) -> Result:
    """The wording difference of the same council's letter in two years' formats, sentence
    by sentence, and the difference of their format.yaml files."""
    from lgo_letters.commands.formats import FormatsDiffOptions, run_formats_diff

    options = FormatsDiffOptions(year_a, year_b, council=council)
    return run_formats_diff(Paths(data, templates, OUT), options)


@formats_app.command("schema")
@exits
def formats_schema(
    year: Year,
    to: Annotated[
        Path | None, typer.Option("--to", help="The folder to write the schemas to.")
    ] = None,
    data: Data = DATA,
    templates: Templates = TEMPLATES,
    out: Annotated[
        Path,
        typer.Option("--out", help="The schemas go to <out>/schema/<year>/ unless --to is given."),
    ] = OUT,
) -> Result:
    """JSON schemas of the year's council records, year.yaml and format.yaml, for editors
    that check YAML as it is typed."""
    from lgo_letters.commands.schemas import SchemaOptions, run_formats_schema

    return run_formats_schema(Paths(data, templates, out), year, SchemaOptions(to=to))


@app.command(name="import")
@exits
def import_(
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
    data: Data = DATA,
    templates: Templates = TEMPLATES,
) -> Result:
    """Import figures and contacts from CSV or XLSX into YEAR's records (given fields only);
    where each value came from goes to data/YEAR/provenance.yaml."""
    from lgo_letters.commands.importing import ImportOptions, run_import

    options = ImportOptions(
        files=tuple(files or ()),
        sheet=sheet,
        mapping=mapping,
        create=create,
        dry_run=dry_run,
        allow_approved=allow_approved,
        by=by,
    )
    return run_import(Paths(data, templates, OUT), year, options)


@app.command()
@exits
def trace(
    year: Year,
    slug: Annotated[str, typer.Argument(help="The council's slug: its record's file name.")],
    as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False,
    data: Data = DATA,
    templates: Templates = TEMPLATES,
) -> Result:
    """Every figure the council's letter prints, with where it came from: a spreadsheet cell,
    the record's line, year.yaml, or the records an average is pooled from."""
    from lgo_letters.commands.checking import TraceOptions, run_trace

    return run_trace(Paths(data, templates, OUT), year, TraceOptions(slug, as_json=as_json))


@app.command()
@exits
def compare(
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
    data: Data = DATA,
    templates: Templates = TEMPLATES,
) -> Result:
    """Each council's figures and rates this year and last, side by side, and the changes
    that deserve a second look (thresholds in year.yaml `checks:`)."""
    from lgo_letters.commands.checking import CompareOptions, run_compare

    options = CompareOptions(previous=previous, flagged=flagged, as_json=as_json, as_csv=as_csv)
    return run_compare(Paths(data, templates, OUT), year, options)


@app.command()
@exits
def export(
    year: Year,
    to: Annotated[Path, typer.Option("--to", help="The file to write: .csv, .xlsx or .json.")],
    with_previous: Annotated[
        bool,
        typer.Option("--with-previous", help="Add last year's figures and rates as columns."),
    ] = False,
    data: Data = DATA,
    templates: Templates = TEMPLATES,
    out: Annotated[
        Path, typer.Option("--out", help="Where the built letters are (for their sha256).")
    ] = OUT,
) -> Result:
    """Write the year's figures, one row per council, as every letter prints them."""
    from lgo_letters.commands.export import ExportOptions, run_export

    options = ExportOptions(to=to, with_previous=with_previous)
    return run_export(Paths(data, templates, out), year, options)


@app.command()
@exits
def check(
    years: Annotated[
        list[int] | None, typer.Argument(help="Years to check (default: every year in data).")
    ] = None,
    update: Annotated[
        bool, typer.Option("--update", help="Rewrite the golden files and list what changed.")
    ] = False,
    data: Data = DATA,
    templates: Templates = TEMPLATES,
    out: Annotated[
        Path, typer.Option("--out", help="Diff images and changed PDFs go to <out>/golden-diff/.")
    ] = OUT,
) -> Result:
    """Render every golden case afresh and compare it with its golden files in
    data/<year>/golden/ (exit 1 on change)."""
    from lgo_letters.commands.check import CheckOptions, run_check
    from lgo_letters.golden import GoldenPaths

    options = CheckOptions(years=tuple(years or ()), update=update)
    return run_check(GoldenPaths(Paths(data, templates, out)), options)


Councils = Annotated[
    list[str] | None, typer.Argument(help="Council slugs (their records' file names).")
]


@app.command()
@exits
def approve(
    year: Year,
    slugs: Councils = None,
    every: Annotated[
        bool, typer.Option("--all", help="Approve every letter that can be approved.")
    ] = False,
    by: Annotated[
        str | None, typer.Option("--by", help="Who approves (default: git user name, login).")
    ] = None,
    data: Data = DATA,
    templates: Templates = TEMPLATES,
    out: Out = OUT,
) -> Result:
    """Approve built letters as they are now: recorded in data/YEAR/approvals.yaml."""
    from lgo_letters.commands.approve import ApproveOptions, run_approve

    options = ApproveOptions(slugs=tuple(slugs or ()), every=every, by=by)
    return run_approve(Paths(data, templates, out), year, options)


@app.command()
@exits
def unapprove(
    year: Year,
    slugs: Annotated[list[str], typer.Argument(help="Council slugs (their records' file names).")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why the approval is withdrawn (kept in the log).")
    ],
    by: Annotated[
        str | None, typer.Option("--by", help="Who withdraws it (default: git user name, login).")
    ] = None,
    data: Data = DATA,
    templates: Templates = TEMPLATES,
    out: Out = OUT,
) -> Result:
    """Withdraw approvals until the letter is sent; the reason is kept in the approvals log."""
    from lgo_letters.commands.approve import UnapproveOptions, run_unapprove

    options = UnapproveOptions(slugs=tuple(slugs), reason=reason, by=by)
    return run_unapprove(Paths(data, templates, out), year, options)


@app.command()
@exits
def review(
    year: Year,
    slugs: Councils = None,
    data: Data = DATA,
    templates: Templates = TEMPLATES,
    out: Out = OUT,
) -> Result:
    """For letters changed since approval: why, and their text difference sentence by sentence."""
    from lgo_letters.commands.approve import ReviewOptions, run_review

    options = ReviewOptions(slugs=tuple(slugs or ()))
    return run_review(Paths(data, templates, out), year, options)


@app.command()
@exits
def status(
    year: Year,
    as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="As CSV.")] = False,
    failed: Annotated[
        bool,
        typer.Option("--failed", help="Only the letters whose last sending failed: to retry."),
    ] = False,
    data: Data = DATA,
    templates: Templates = TEMPLATES,
    out: Out = OUT,
) -> Result:
    """One line a council: record, draft, built, approved, sent, published; then a summary."""
    from lgo_letters.commands.status import StatusOptions, run_status

    options = StatusOptions(as_json=as_json, as_csv=as_csv, failed=failed)
    return run_status(Paths(data, templates, out), year, options)


@app.command()
@exits
def send(
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
    data: Data = DATA,
    templates: Templates = TEMPLATES,
    out: Out = OUT,
) -> Result:
    """Email each approved letter to its council, once: a dry run into <out>/YEAR/outbox/
    unless --smtp is given; each attempt is logged in data/YEAR/sent.yaml."""
    from lgo_letters.commands.send import SendOptions, run_send

    options = SendOptions(
        only=tuple(only or ()),
        resend=tuple(resend or ()),
        smtp=smtp,
        use_ssl=use_ssl,
        no_tls=no_tls,
        user=user,
        rate=rate,
        timeout=timeout,
        verbose=verbose,
    )
    return run_send(Paths(data, templates, out), year, options)


@app.command()
@exits
def publish(
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
    data: Data = DATA,
    templates: Templates = TEMPLATES,
    out: Out = OUT,
) -> Result:
    """Write the website's bundle into DIR/YEAR/: every approved letter (PDF, HTML), the
    public figures as CSV and JSON, and an index.html; refuses while any letter is a draft
    or not approved, and never replaces a file it did not write."""
    from lgo_letters.commands.publish import PublishOptions, run_publish

    options = PublishOptions(to=to, base_url=base_url)
    return run_publish(Paths(data, templates, out), year, options)


def main() -> None:
    try:
        app()
    except Exception as error:  # outside any command (typer itself): still no traceback
        report_internal_error(error)
        sys.exit(exit_code(error))
