"""`lgo-letters send YEAR`: the approved letters to the councils, once each."""

from __future__ import annotations

from lgo_letters.commands.approve import chosen, load_state
from lgo_letters.output import folder_lock
from lgo_letters.project import Paths, check_year
from lgo_letters.release.send import (
    SendReport,
    plan,
    send_over_smtp,
    smtp_settings,
    write_outbox,
)
from lgo_letters.report import err, out


def run_send(
    paths: Paths,
    year: int,
    only: list[str],
    resend: list[str],
    smtp: str | None,
    use_ssl: bool,
    no_tls: bool,
    user: str | None,
    rate: float | None,
) -> int:
    settings = smtp_settings(smtp, use_ssl, no_tls, user) if smtp else None
    if smtp is None and (use_ssl or no_tls or user):
        err.print("error: --ssl, --no-tls and --user go with --smtp", markup=False)
        return 2
    templates = check_year(paths, year)
    state = load_state(paths, year)
    if state is None:
        return 1
    chosen(state, [*only, *resend])
    report = SendReport(dry_run=settings is None)
    with folder_lock(state.year_dir, f"another send of {year} is running"):
        outgoing = plan(state, templates, only, resend, report)
        if settings is None:
            write_outbox(paths.out / str(year), outgoing, report)
        else:
            send_over_smtp(state, settings, outgoing, report, rate)
    _print(year, report, settings.host if settings else None)
    return 0 if report.ok else 1


def _print(year: int, report: SendReport, host: str | None) -> None:
    for path in report.written:
        out.print(f"wrote {path}", markup=False)
    for entry in report.sent:
        out.print(
            f"sent {entry.council} to {', '.join(entry.to + entry.cc)} ({entry.message_id})",
            markup=False,
        )
    for slug, reason in report.held.items():
        err.print(f"{slug}: not sent: {reason}", markup=False)
    for slug, reason in report.failed.items():
        err.print(f"{slug}: FAILED: {reason}", markup=False)
    if report.not_attempted:
        err.print(
            f"not attempted: {', '.join(report.not_attempted)}; run send again to send them",
            markup=False,
        )
    if report.fatal:
        err.print(report.fatal, markup=False)
    if report.dry_run:
        err.print(
            f"{year}: dry run: {len(report.written)} message(s) written to the outbox, "
            f"{len(report.held)} not to be sent, {len(report.failed)} failed; "
            "nothing was sent (--smtp HOST:PORT sends)",
            markup=False,
        )
    else:
        err.print(
            f"{year}: {len(report.sent)} sent via {host}, {len(report.failed)} failed, "
            f"{len(report.not_attempted)} not attempted, {len(report.held)} not to be sent",
            markup=False,
        )
