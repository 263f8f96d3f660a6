"""`lgo-letters publish YEAR --to DIR`: the approved letters and figures for the website."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lgo_letters.errors import OutputError
from lgo_letters.project import Paths, check_year
from lgo_letters.release.lock import year_lock
from lgo_letters.release.publish import publish
from lgo_letters.release.state import load_year_state
from lgo_letters.report import err, out


def _say(message: str) -> None:
    err.print(message, markup=False)


def run_publish(paths: Paths, year: int, target: Path) -> int:
    templates = check_year(paths, year)
    # published.yaml is read and written under the year's lock (as approvals and sending).
    with year_lock(paths.data / str(year), year, "publish", waiting=_say):
        state = load_year_state(paths, year)
        try:
            report = publish(state, templates, paths.out / str(year), target, dt.date.today())
        except OutputError as error:
            _say(f"{error}; the bundle is incomplete: run publish again")
            return 1
    if report.error:
        err.print(report.error, markup=False)
        return 1
    if report.refused:
        for slug, reason in report.refused.items():
            err.print(f"{slug}: {reason}", markup=False)
        err.print(
            f"{year}: nothing published: {len(report.refused)} letter(s) cannot go out "
            "(every letter must be approved and unchanged)",
            markup=False,
        )
        return 1
    if not report.written:
        err.print(f"{year}: nothing published: no letters", markup=False)
        return 1
    if report.early:
        err.print(
            f"warning: publishing before the publication date, {report.early:%d %B %Y}",
            markup=False,
        )
    for file in report.written:
        out.print(str(file), markup=False)
    for slug in report.corrected:
        _say(f"{slug}: its published letter is replaced by the corrected one (corrections.csv)")
    if report.left_over:
        names = ", ".join(file.name for file in report.left_over)
        err.print(
            f"warning: {target} also holds letters of {year} that this bundle does not "
            f"(their councils have no record in the data now), left as they are: {names}; "
            "remove them from the website if they are withdrawn",
            markup=False,
        )
    err.print(f"{year}: {len(state.letters)} letter(s) and the figures → {target}", markup=False)
    return 0
