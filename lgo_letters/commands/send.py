"""`lgo-letters send YEAR`: the approved letters to the councils, once each."""

from __future__ import annotations

import signal

from lgo_letters.build.progress import BuildProgress
from lgo_letters.errors import EXIT_USAGE
from lgo_letters.project import Paths, check_year
from lgo_letters.release.lock import year_lock
from lgo_letters.release.send import (
    ALREADY_SENT,
    SendReport,
    SendSignals,
    plan,
    send_over_smtp,
    write_outbox,
)
from lgo_letters.release.smtp import DEFAULT_TIMEOUT, smtp_settings
from lgo_letters.release.state import chosen, load_year_state
from lgo_letters.report import err


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
    timeout: float = DEFAULT_TIMEOUT,
    verbose: bool = False,
) -> int:
    if smtp is None and (use_ssl or no_tls or user):
        _say("error: --ssl, --no-tls and --user go with --smtp")
        return EXIT_USAGE
    settings = smtp_settings(smtp, use_ssl, no_tls, user, timeout) if smtp else None
    templates = check_year(paths, year)
    report = SendReport(dry_run=settings is None)
    dry_run = settings is None
    progress = BuildProgress(
        err, done="wrote" if dry_run else "sent", starting="writing" if dry_run else "sending"
    )
    stop = SendSignals()
    # The lock first: the year's state, and the log of what was sent, are read under it.
    with year_lock(paths.data / str(year), year, "send"), stop.installed():
        try:
            state = load_year_state(paths, year)
            chosen(state, [*only, *resend])
            outgoing = plan(state, only, resend, report)
            progress.start(len(outgoing))
            try:
                if settings is None:
                    write_outbox(
                        state, templates, paths.out / str(year), outgoing, report, progress, stop
                    )
                else:
                    send_over_smtp(
                        state, templates, settings, outgoing, report, rate, progress, stop
                    )
            finally:
                progress.stop()
        except KeyboardInterrupt:  # a second signal while planning or writing the outbox
            report.interrupted_by = stop.received or signal.SIGINT
            report.stopped_at_once = True
    _print(year, report, settings.host if settings else None, verbose)
    return report.exit_code


def _say(message: str) -> None:
    err.print(message, markup=False)


def _print(year: int, report: SendReport, host: str | None, verbose: bool) -> None:
    """What was not sent and why, what failed, then one line of counts. Letters already
    sent are counted, not listed (unless `verbose`): a rerun would list every council."""
    already = [slug for slug, held in report.held.items() if held.kind == ALREADY_SENT]
    asked = report.held_asked
    for slug, held in report.held.items():
        if slug in asked:
            _say(f"{slug}: asked for by name, but not sent: {held.reason}")
        elif held.kind != ALREADY_SENT or verbose:
            _say(f"{slug}: not sent: {held.reason}")
    if already and not verbose:
        _say(f"{len(already)} already sent (--verbose lists them; --resend SLUG sends one again)")
    for slug, reason in report.failed.items():
        _say(f"{slug}: FAILED: {reason}")
    if report.fatal:
        _say(report.fatal)
    if report.interrupted_by:
        name = signal.Signals(report.interrupted_by).name
        done = len(report.written if report.dry_run else report.sent)
        verb = "written" if report.dry_run else "sent"
        if report.not_attempted or report.stopped_at_once:
            _say(
                f"interrupted by {name}: {done} {verb}, {len(report.not_attempted)} not yet: "
                "run send again"
            )
        else:
            _say(f"{name} came after the last message: nothing was left undone")
    elif report.not_attempted:
        _say(f"not attempted: {', '.join(report.not_attempted)}; run send again to send them")
    not_to_send = len(report.held) - len(already)
    counts = [
        f"{len(report.failed)} failed",
        f"{len(report.not_attempted)} not attempted",
        f"{len(already)} already sent",
        f"{not_to_send} not to be sent",
    ]
    if report.dry_run:
        _say(
            f"{year}: dry run: {len(report.written)} message(s) written to the outbox, "
            f"{', '.join(counts)}; nothing was sent (--smtp HOST:PORT sends)"
        )
    else:
        _say(f"{year}: {len(report.sent)} sent via {host}, {', '.join(counts)}")
