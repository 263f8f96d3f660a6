"""`lgo-letters import YEAR FILE …`: figures and contacts from spreadsheets into the records."""

from __future__ import annotations

import contextlib
import getpass
import signal
from dataclasses import dataclass
from pathlib import Path

from lgo_letters.errors import Interrupted, Outcome, OutputError, Result, UsageError
from lgo_letters.exchange.importer import ImportPlan, plan_import, recover_import, write_plan
from lgo_letters.filesets import Recovered, pending
from lgo_letters.output import folder_lock
from lgo_letters.project import Paths, check_year
from lgo_letters.release.ledgers import load_approvals, load_sent, now_utc
from lgo_letters.report import err, out
from lgo_letters.schema.text import check_line, forbidden_character

# Problems printed in full; the rest are counted ("… and 779,950 more").
PRINTED_PROBLEMS = 200
# Rows that match no record: the first few are named, the rest counted.
NAMED_UNMATCHED = 5


def _say(message: str) -> None:
    err.print(message, markup=False)


def importer_name(by: str | None) -> str:
    """Who imports (`--by`, else the login name), checked like any text field."""
    if by is None:
        try:
            by = getpass.getuser()
        except (KeyError, OSError):
            by = "unknown"
    problem = forbidden_character(by)
    if problem is not None:
        raise UsageError(f"--by {problem}")
    try:
        return check_line(by.strip() or "unknown")
    except ValueError as error:
        raise UsageError(f"--by {error}") from None


def _recovered(recovered: Recovered) -> None:
    if recovered.finished:
        _say(
            f"an earlier import was interrupted after its records were complete: finished it "
            f"({len(recovered.finished)} file(s) put in place: {recovered.what})"
        )
    elif recovered.rolled_back:
        _say(
            "an earlier import was interrupted before it wrote anything: rolled it back "
            f"({len(recovered.rolled_back)} unfinished file(s) removed; every record is as "
            "it was before it)"
        )


@dataclass(frozen=True)
class ImportOptions:
    """`import`: the spreadsheets (none: only finish or roll back an interrupted import),
    the XLSX sheet, the column mapping, whether to create records for unmatched rows, a dry
    run, whether approved or sent councils may change, and who imports (--by)."""

    files: tuple[Path, ...] = ()
    sheet: str | None = None
    mapping: Path | None = None
    create: bool = False
    dry_run: bool = False
    allow_approved: bool = False
    by: str | None = None


def run_import(paths: Paths, year: int, options: ImportOptions) -> Result:
    dry_run = options.dry_run
    for file in [*options.files, *([options.mapping] if options.mapping else [])]:
        if not file.is_file():
            raise UsageError(f"no file {file}")
    who = importer_name(options.by)
    check_year(paths, year)
    year_dir = paths.data / str(year)
    busy = f"another command is changing {year_dir} (an import, approve or send): try again"
    # A dry run writes nothing, so it needs no lock (and does not wait for a send).
    lock = contextlib.nullcontext() if dry_run else folder_lock(year_dir, busy)
    try:
        with lock:
            if dry_run:
                if pending(year_dir) is not None:
                    _say(
                        f"an earlier import into {year_dir} was interrupted while writing: run "
                        f"`lgo-letters import {year}` (without --dry-run) to finish it first"
                    )
                    return Outcome.FAILED
            else:
                _recovered(recover_import(year_dir))
            if not options.files:
                _say(f"{year}: no file given: nothing to import")
                return Outcome.OK
            return _import(paths, year, options, who)
    except KeyboardInterrupt:
        _say("interrupted: nothing written (every record is as it was)")
        return Interrupted(signal.SIGINT)


def _import(paths: Paths, year: int, options: ImportOptions, who: str) -> Result:
    dry_run, allow_approved = options.dry_run, options.allow_approved
    plan = plan_import(paths, year, options.files, options.sheet, options.mapping, options.create)
    for note in plan.notes:
        _say(note)
    for warning in sorted(plan.warnings, key=lambda w: w.position):
        _say(f"warning: {warning}")
    held = held_back(plan)
    if held and (dry_run or not plan.problem_count):
        print_held(held, allow_approved)
    if plan.problem_count:
        print_problems(plan)
        _say(summary(plan) + f"; {plan.problem_count:,} problem(s): nothing written")
        return Outcome.FAILED
    if held and not allow_approved:
        _say(
            f"{len(held)} approved or sent council(s) would change: nothing written. Give "
            "--allow-approved to change them (their letters then need approving again)"
        )
        _say(summary(plan) + "; no problems")
        return Outcome.FAILED
    print_plan(plan)
    if dry_run:
        _say(summary(plan) + "; no problems; dry run: nothing written")
        return Outcome.OK
    try:
        written = write_plan(plan, now_utc(), who)
    except OutputError as error:
        _say(f"{error}; nothing written (every record is as it was)")
        return Outcome.FAILED
    _say(summary(plan) + f"; no problems; {len(written.files)} file(s) written")
    if written.signal is not None:
        _say("interrupted, but only once every file was written: the import is complete")
        return Interrupted(written.signal)
    return Outcome.OK


def held_back(plan: ImportPlan) -> dict[str, str]:
    """The councils the import would change whose letters are approved or sent: slug → what
    (approved by whom and when, sent when) and the changes."""
    approvals = load_approvals(plan.year_dir)
    sent: dict[str, str] = {}
    for message in load_sent(plan.year_dir):
        if message.sent:  # the log also keeps failed attempts
            sent[message.council] = message.at
    held = {}
    for update in plan.changed:
        said = []
        approval = approvals.get(update.slug)
        if approval is not None:
            said.append(f"approved by {approval.by} at {approval.at}")
        if update.slug in sent:
            said.append(f"sent at {sent[update.slug]}")
        if said:
            held[update.slug] = (
                f"{'; '.join(said)}: this import changes {', '.join(map(str, update.changes))}"
            )
    return held


def print_held(held: dict[str, str], allowed: bool) -> None:
    verb = "changed (--allow-approved)" if allowed else "held back (give --allow-approved)"
    for slug, what in sorted(held.items()):
        _say(f"{slug}: {verb}: {what}")


def print_problems(plan: ImportPlan) -> None:
    """Every problem in the order of the rows, at most PRINTED_PROBLEMS of them; rows that
    match no record once, together."""
    shown = plan.ordered_problems()[:PRINTED_PROBLEMS]
    for problem in shown:
        _say(str(problem))
    if plan.unmatched:
        first = "; ".join(f"{where} {names}" for where, names in plan.unmatched[:NAMED_UNMATCHED])
        more = len(plan.unmatched) - NAMED_UNMATCHED
        folder = plan.year_dir / "councils"
        _say(
            f"{len(plan.unmatched):,} row(s) match no council record in {folder}"
            f" (by code or name): {first}{f' … and {more:,} more' if more > 0 else ''}: check "
            "their names and codes, or give --create to make records for them"
        )
    left = plan.problem_count - len(shown) - len(plan.unmatched)
    if left > 0:
        _say(f"… and {left:,} more problem(s)")


def summary(plan: ImportPlan) -> str:
    return (
        f"{plan.year}: {plan.rows:,} row(s) read from {plan.files} file(s); "
        f"{plan.councils - len(plan.created):,} council(s) matched, {len(plan.created)} created, "
        f"{len(plan.changed)} changed, {len(plan.unchanged)} unchanged, "
        f"{len(plan.unmentioned)} not in the files"
    )


def print_plan(plan: ImportPlan) -> None:
    """Council by council and field by field, then what no file mentioned, then a summary."""
    for update in sorted(plan.changed, key=lambda u: u.slug):
        out.print(f"{update.slug}: {', '.join(map(str, update.changes))}", markup=False)
    for update in sorted(plan.created, key=lambda u: u.slug):
        out.print(f"created {update.file} for {update.name}", markup=False)
    if plan.unmentioned:
        out.print(
            f"not in any file ({len(plan.unmentioned)}): {', '.join(plan.unmentioned)}",
            markup=False,
        )
    fields = sum(len(u.changes) for u in plan.changed)
    out.print(
        f"{plan.year}: {plan.councils} council(s) in {plan.rows} row(s) of {plan.files} "
        f"file(s); {len(plan.changed)} record(s) changed "
        f"({fields} field(s)), {len(plan.created)} created, {len(plan.unchanged)} unchanged, "
        f"{len(plan.unmentioned)} not in the files",
        markup=False,
    )
