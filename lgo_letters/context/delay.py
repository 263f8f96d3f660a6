"""The compliance-delay paragraph (2021 on): which of its cases the counts make.

The template words each case; this decides which applies, so every case is a true
statement about the counts (complied ≤ compliance outcomes, 1 ≤ late ≤ complied).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Which remedies were late, as the paragraph says it:
#   "only":  the one remedy of the one case               ("this remedy was not completed")
#   "that":  the one complied case, of several outcomes   ("in that case, the remedy ...")
#   "both":  both complied cases                          ("in both of these cases")
#   "all":   every complied case, three or more           ("in all three of these cases")
#   "one":   one of several complied cases                ("in one of these cases")
#   "some":  several, not all, of the complied cases      ("in two of these cases")
LateCase = Literal["only", "that", "both", "all", "one", "some"]


@dataclass(frozen=True)
class ComplianceDelay:
    outcomes: int  # compliance outcomes recorded
    complied: int  # of which we were satisfied
    late: int  # of which the remedy was late
    satisfied_in_every_case: bool  # complied == outcomes: "It is pleasing that ..."
    late_case: LateCase


def compliance_delay(outcomes: int, complied: int, late: int) -> ComplianceDelay | None:
    """The paragraph's case, or None when no remedy was late (no paragraph)."""
    if late < 1:
        return None
    if not 1 <= late <= complied <= outcomes:
        raise ValueError(
            f"late {late}, complied {complied}, outcomes {outcomes}: the record's checks "
            "should have refused these counts"
        )
    case: LateCase
    if late == complied == 1:
        case = "only" if outcomes == 1 else "that"
    elif late == complied == 2:
        case = "both"
    elif late == complied:
        case = "all"
    elif late == 1:
        case = "one"
    else:
        case = "some"
    return ComplianceDelay(outcomes, complied, late, complied == outcomes, case)
