"""What a build did, assembled from its phases' outcomes, and what that means for its exit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lgo_letters.errors import LetterFailure, Problem


@dataclass(frozen=True)
class BuildReport:
    year: int
    out_dir: Path
    built: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    failures: tuple[LetterFailure, ...] = ()  # the letters not built, and why
    not_done: tuple[str, ...] = ()  # left by an interruption, or by a halted build
    stale: tuple[str, ...] = ()
    removed: tuple[Path, ...] = ()
    kept: tuple[str, ...] = ()  # stale files --clean would not delete
    problems: tuple[Problem, ...] = ()  # of the records and year file
    warnings: tuple[Problem, ...] = ()  # an incomplete year, pooled averages
    combined: Path | None = None
    combined_note: str = ""
    combined_skipped: bool = False  # --combined was asked for but a stop came first
    interrupted_by: int | None = None  # signal number
    halted: bool = False  # stopped early: the output folder refused a write
    refused: str = ""  # why no letter could be written at all
    manifest_error: str = ""
    manifest_damage: str = ""  # the manifest on disk was damaged and treated as absent
    workers_lost: int = 0
    letters_retried: int = 0
    seconds: float = 0.0

    @property
    def finished(self) -> bool:
        """Every letter was made or found current although a stop signal came (after the
        last one): nothing is left for another run to do."""
        return not self.not_done and not self.halted and not self.combined_skipped

    @property
    def failed(self) -> int:
        """Letters not built for a fault: failures, and those a halted build never reached."""
        return len(self.failures) + (len(self.not_done) if self.halted else 0)

    @property
    def exit_code(self) -> int:
        """The one place that decides what the build's outcome means for its exit: 128 + the
        signal's number when a signal left work undone; else 1 when any letter failed, a
        record had problems, the build halted or was refused, or its manifest could not be
        written; else 0 (every letter built or unchanged)."""
        if self.interrupted_by and not self.finished:
            return 128 + self.interrupted_by
        faulty = (
            self.failures or self.problems or self.halted or self.refused or self.manifest_error
        )
        return 1 if faulty else 0
