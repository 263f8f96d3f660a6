"""`lgo-letters serve YEAR`: the year's letters on 127.0.0.1, reloading as files are saved."""

from __future__ import annotations

import time
import webbrowser
from dataclasses import dataclass
from pathlib import Path

from lgo_letters.errors import Outcome, Result
from lgo_letters.project import Paths, check_year
from lgo_letters.report import err, out
from lgo_letters.serve import serving
from lgo_letters.serve.site import LetterSite


def _report_change(changed: list[Path], site: LetterSite) -> None:
    names = ", ".join(str(path) for path in changed[:3])
    more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
    problems = site.problem_count()
    status = f"{problems} problem(s): see the pages" if problems else "no problems"
    err.print(f"changed: {names}{more} — reloading ({status})", markup=False)


@dataclass(frozen=True)
class ServeOptions:
    """`serve`: the port on 127.0.0.1 (0: any free one), whether to open a browser, and
    whether as the review desk."""

    port: int = 8000
    open_browser: bool = False
    review: bool = False


def run_serve(paths: Paths, year: int, options: ServeOptions) -> Result:
    port, open_browser, review = options.port, options.open_browser, options.review
    check_year(paths, year)
    with serving(paths, year, port, on_change=_report_change, review=review) as live:
        out.print(live.url, markup=False)
        what = "review desk" if review else "letters"
        err.print(f"Serving the {year} {what} at {live.url} — press Ctrl+C to stop.", markup=False)
        if open_browser:
            webbrowser.open(live.url)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            err.print("stopped", markup=False)
    return Outcome.OK
