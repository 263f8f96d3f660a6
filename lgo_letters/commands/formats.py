"""`lgo-letters formats diff YEAR_A YEAR_B [--council SLUG]`."""

from __future__ import annotations

from dataclasses import dataclass

from lgo_letters.errors import Outcome, Result
from lgo_letters.formatdiff import formats_diff
from lgo_letters.project import Paths
from lgo_letters.report import out

_MARK = {"added": "+", "removed": "-", "changed": "~"}


@dataclass(frozen=True)
class FormatsDiffOptions:
    """`formats diff`: the two years, and the council whose letter is compared (None: a
    made-up one that reaches every optional paragraph)."""

    year_a: int
    year_b: int
    council: str | None = None


def run_formats_diff(paths: Paths, options: FormatsDiffOptions) -> Result:
    year_a, year_b = options.year_a, options.year_b
    diff = formats_diff(paths, year_a, year_b, options.council)
    say = out.print
    say(f"Wording, {year_a} → {year_b}, for {diff.council}:", markup=False)
    if not diff.sentences:
        say("  no difference", markup=False)
    for change in diff.sentences:
        mark = _MARK[change.kind]
        if change.kind == "changed":
            say(f"{mark} {change.words}", markup=False)
        else:
            say(f"{mark} {change.new if change.kind == 'added' else change.old}", markup=False)
    say(f"\nFields (format.yaml), {year_a} → {year_b}:", markup=False)
    if not diff.fields:
        say("  no difference", markup=False)
    for field in diff.fields:
        detail = {
            "added": f" ({field.new})" if field.new else "",
            "removed": f" ({field.old})" if field.old else "",
            "changed": f": {field.old} → {field.new}",
        }[field.kind]
        say(f"{_MARK[field.kind]} {field.where}{detail}", markup=False)
    return Outcome.OK
