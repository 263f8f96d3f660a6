"""`lgo-letters publish YEAR --to DIR [--base-url URL]`: the approved letters and public
figures for the website, in DIR/YEAR/."""

from __future__ import annotations

import datetime as dt
import signal
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lgo_letters.errors import Interrupted, Outcome, OutputError, Result, UsageError
from lgo_letters.project import Paths, check_year
from lgo_letters.release.bundle import RECORD
from lgo_letters.release.lock import year_lock
from lgo_letters.release.publish import publish
from lgo_letters.release.state import load_year_state
from lgo_letters.report import err, out


def _say(message: str) -> None:
    err.print(message, markup=False)


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


@dataclass(frozen=True)
class PublishOptions:
    """`publish`: the website's folder (the bundle goes into <to>/<year>/), and the address
    it is served at."""

    to: Path
    base_url: str | None = None


def run_publish(paths: Paths, year: int, options: PublishOptions) -> Result:
    target = options.to
    base = base_url_option(options.base_url)
    templates = check_year(paths, year)
    folder = target / str(year)
    if target.name == str(year):
        _say(
            f"warning: the bundle goes into {folder} (publish writes DIR/{year}/): "
            f"to publish into {target}, give --to {target.parent}"
        )
    # published.yaml is read and written under the year's lock (as approvals and sending).
    with year_lock(paths.data / str(year), year, "publish", waiting=_say):
        state = load_year_state(paths, year)
        try:
            report = publish(state, templates, paths.out / str(year), target, dt.date.today(), base)
        except OutputError as error:
            _say(f"{error}; every file of {folder} is as it was or new: run publish again")
            return Outcome.FAILED
        except KeyboardInterrupt:  # Ctrl-C; SIGKILL leaves the same files, without this line
            _say(
                f"{year}: publish stopped: every file of {folder} is as it was or new; "
                "run publish again to finish"
            )
            return Interrupted(signal.SIGINT)
    if report.error:
        err.print(report.error, markup=False)
        return Outcome.FAILED
    if report.refused:
        for slug, reason in report.refused.items():
            err.print(f"{slug}: {reason}", markup=False)
        err.print(
            f"{year}: nothing published: {len(report.refused)} letter(s) cannot go out "
            "(every letter must be approved and unchanged)",
            markup=False,
        )
        return Outcome.FAILED
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
        return Outcome.FAILED
    if not report.written:
        err.print(f"{year}: nothing published: no letters", markup=False)
        return Outcome.FAILED
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
            f"warning: {folder} also holds letters of {year} that this bundle does not "
            f"(their councils have no record in the data now), left as they are: {names}; "
            "remove them from the website if they are withdrawn",
            markup=False,
        )
    err.print(f"{year}: {len(state.letters)} letter(s) and the figures → {folder}", markup=False)
    return Outcome.OK
