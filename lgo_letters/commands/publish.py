"""`lgo-letters publish YEAR --to DIR [--base-url URL]`: the approved letters and public
figures for the website, in DIR/YEAR/."""

from __future__ import annotations

import datetime as dt
import signal
from pathlib import Path
from urllib.parse import urlsplit

from lgo_letters.commands.approve import load_state
from lgo_letters.errors import OutputError, UsageError
from lgo_letters.project import Paths, check_year
from lgo_letters.release.bundle import RECORD
from lgo_letters.release.publish import publish
from lgo_letters.report import err, out


def base_url_option(url: str | None) -> str | None:
    """--base-url as the bundle uses it: an absolute http(s) address ending in "/"."""
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise UsageError(
            f"--base-url {url}: give the address DIR is served at, as http:// or https:// "
            "with no query or fragment (https://www.example.org/annual-review-letters/)"
        )
    return url if url.endswith("/") else url + "/"


def run_publish(paths: Paths, year: int, target: Path, base_url: str | None = None) -> int:
    base = base_url_option(base_url)
    templates = check_year(paths, year)
    state = load_state(paths, year)
    if state is None:
        return 1
    folder = target / str(year)
    if target.name == str(year):
        err.print(
            f"warning: the bundle goes into {folder} (publish writes DIR/{year}/): "
            f"to publish into {target}, give --to {target.parent}",
            markup=False,
        )
    try:
        report = publish(state, templates, paths.out / str(year), target, dt.date.today(), base)
    except OutputError as error:
        err.print(
            f"{error}; every file of {folder} is as it was or new: run publish again",
            markup=False,
        )
        return 1
    except KeyboardInterrupt:  # Ctrl-C; SIGKILL leaves the same files, without this line
        err.print(
            f"{year}: publish stopped: every file of {folder} is as it was or new; "
            "run publish again to finish",
            markup=False,
        )
        return 128 + signal.SIGINT
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
    if report.stopped is not None:
        done, total = report.stopped
        then = "" if report.foreign else "; this run writes the whole bundle again"
        err.print(
            f"warning: the last publish into {folder} was stopped part way: {done} of its "
            f"{total} files were in place, the others as they were before it{then}",
            markup=False,
        )
    if report.foreign:
        for name, why in report.foreign.items():
            err.print(f"{folder / name}: {why}: left as it is", markup=False)
        err.print(
            f"{year}: nothing published: {folder} holds {len(report.foreign)} file(s) of the "
            f"bundle that lgo-letters did not write (its own are listed in {folder / RECORD}); "
            "move them away, or publish into another folder",
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
    if report.left_over:
        names = ", ".join(file.name for file in report.left_over)
        err.print(
            f"warning: {folder} also holds letters of {year} that this bundle does not "
            f"(their councils have no record in the data now), left as they are: {names}; "
            "remove them from the website if they are withdrawn",
            markup=False,
        )
    err.print(f"{year}: {len(state.letters)} letter(s) and the figures → {folder}", markup=False)
    return 0
