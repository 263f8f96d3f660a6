"""`lgo-letters import YEAR FILE …`: figures and contacts from spreadsheets into the records."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lgo_letters.errors import OutputError, UsageError
from lgo_letters.exchange.importer import ImportPlan, plan_import, write_plan
from lgo_letters.project import Paths
from lgo_letters.report import err, out


def _say(message: str) -> None:
    err.print(message, markup=False)


def run_import(
    paths: Paths,
    year: int,
    files: Sequence[Path],
    sheet: str | None,
    mapping: Path | None,
    create: bool,
    dry_run: bool,
) -> int:
    for file in [*files, *([mapping] if mapping else [])]:
        if not file.is_file():
            raise UsageError(f"no file {file}")
    plan = plan_import(paths, year, files, sheet, mapping, create)
    for note in plan.notes:
        _say(note)
    if plan.problems:
        for problem in plan.problems:
            _say(str(problem))
        _say(f"{len(plan.problems)} problem(s): nothing written")
        return 1
    print_plan(plan)
    if dry_run:
        _say("dry run: nothing written")
        return 0
    try:
        write_plan(plan)
    except OutputError as error:
        _say(str(error))
        return 1
    return 0


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
