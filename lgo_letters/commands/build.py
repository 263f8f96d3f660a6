"""`lgo-letters build YEAR`: every council's letter of a year, as HTML and PDF."""

from __future__ import annotations

import signal
from collections import defaultdict
from collections.abc import Sequence

from lgo_letters.build import BuildOptions, BuildReport, build_year
from lgo_letters.build.progress import BuildProgress
from lgo_letters.manifest import MANIFEST
from lgo_letters.project import Paths
from lgo_letters.report import err, print_problems, print_warnings


def run_build(paths: Paths, year: int, options: BuildOptions) -> int:
    """Build the year and say how it went; the exit code is the report's (BuildReport.exit_code),
    or 128 + SIGINT when a second Ctrl-C stopped the build at once."""
    progress = BuildProgress(err)
    try:
        report = build_year(paths, year, options, progress, warn=_say)
    except KeyboardInterrupt:  # a second Ctrl-C: the manifest is written, workers gone
        _say(f"{year}: build stopped at once; run it again to finish")
        return 128 + signal.SIGINT
    print_summary(report, options)
    return report.exit_code


def _say(message: str) -> None:
    err.print(message, markup=False)


def _some(slugs: Sequence[str], shown: int = 3) -> str:
    """'a', 'a, b and c', or 'a, b, c and 337 more letters' (never "1 more letters")."""
    if len(slugs) <= shown + 1:
        return slugs[0] if len(slugs) == 1 else f"{', '.join(slugs[:-1])} and {slugs[-1]}"
    return f"{', '.join(slugs[:shown])} and {len(slugs) - shown} more letters"


def print_summary(report: BuildReport, options: BuildOptions) -> None:
    """Problems (file:line:col: field: message), other failures, stale letters, then one
    line of counts."""
    print_warnings(report.warnings, options.strict)
    print_problems(report.problems)
    if report.manifest_damage:
        _say(f"{report.manifest_damage}; it was ignored and every letter is rebuilt")
    if report.refused:
        _say(report.refused)
    # A fault every letter shares (a broken template, say) is one line, not one a letter.
    letters_by_reason: dict[str, list[str]] = defaultdict(list)
    for failure in sorted(report.failures, key=lambda f: f.slug):
        if failure.kind != "record":  # a record's problems are printed above
            letters_by_reason[failure.summary].append(failure.slug)
    for reason, slugs in letters_by_reason.items():
        _say(f"{_some(slugs)}: {reason}")
    if report.failures:
        _say(f"failed: {_some(sorted(f.slug for f in report.failures), shown=20)}")
    if report.manifest_error:
        _say(report.manifest_error)
    if report.stale:
        if options.clean:
            _say(
                f"removed {len(report.removed)} file(s) of councils no longer in the data: "
                f"{', '.join(report.stale)}"
            )
            for kept in report.kept:
                _say(f"not removed: {kept} (named in {report.out_dir / MANIFEST})")
        else:
            _say(
                f"stale: {len(report.stale)} letter(s) of councils no longer in the data "
                f"({', '.join(report.stale)}); --clean removes them"
            )
    if report.workers_lost:
        retried = (
            f"{report.letters_retried} letter(s) it held were retried in a fresh one"
            if report.letters_retried
            else "the letters it held were not retried, as the build was stopping"
        )
        _say(f"a worker process died {report.workers_lost} time(s); {retried}")
    if report.combined_note:
        _say(report.combined_note)
    if report.interrupted_by:
        name = signal.Signals(report.interrupted_by).name
        if report.finished:
            _say(f"{name} came after the last letter: nothing was left undone")
        else:
            undone = f"{len(report.not_done)} letter(s) not done"
            if report.combined_skipped and not report.not_done:
                undone = "the combined PDF not written"
            _say(f"interrupted by {name}: {undone}; run the build again to finish them")
    _say(
        f"{report.year}: {len(report.built)} letter(s) built, {report.failed} failed, "
        f"{len(report.unchanged)} unchanged in {report.seconds:.1f} s "
        f"({options.jobs} worker(s)) → {report.out_dir}"
    )
