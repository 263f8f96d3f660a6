"""`lgo-letters check [YEAR ...] [--update]`: every golden case rendered afresh and compared."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

from lgo_letters.errors import Outcome, Result
from lgo_letters.golden import GoldenPaths, GoldenSession, Status
from lgo_letters.golden import Outcome as CaseOutcome
from lgo_letters.report import err, out, print_problems


def _print(outcome: CaseOutcome) -> None:
    for line in outcome.report():
        out.print(line, markup=False)


@dataclass(frozen=True)
class CheckOptions:
    """`check`: the years (none: every year in the data); rewrite the golden files?"""

    years: tuple[int, ...] = ()
    update: bool = False


def run_check(paths: GoldenPaths, options: CheckOptions) -> Result:
    update = options.update
    started = time.perf_counter()
    session = GoldenSession(paths, list(options.years))
    print_problems(session.case_set.problems)
    outcomes = []
    for outcome in session.run(update):
        outcomes.append(outcome)
        _print(outcome)

    counts = Counter("error" if o.error else o.result.status.value for o in outcomes)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    seconds = f"{time.perf_counter() - started:.1f} s"
    broken = bool(session.case_set.problems) or counts["error"] > 0
    if update:
        updated = [o for o in outcomes if o.updated]
        err.print(
            f"{len(outcomes)} case(s): {summary}; golden files updated for "
            f"{len(updated)} ({seconds})",
            markup=False,
        )
        if updated:
            folders = " ".join(str(paths.golden(year)) for year in session.years)
            err.print(f"review the change with: git diff --stat -- {folders}", markup=False)
        return Outcome.FAILED if broken else Outcome.OK
    failed = [o for o in outcomes if not o.passed]
    err.print(f"{len(outcomes)} case(s): {summary} ({seconds})", markup=False)
    if any(o.result.page_changes for o in failed):
        err.print(
            f"diff images (golden | current | changes in red) in {paths.diff_dir}", markup=False
        )
    if any(o.result.status in (Status.NEW, Status.CHANGED, Status.GONE) for o in failed):
        err.print(
            "if every change is intended: lgo-letters check --update, then review in git",
            markup=False,
        )
    return Outcome.FAILED if failed or broken else Outcome.OK
