"""How a build shows its progress: a rich progress bar on a terminal, else one line a letter."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class BuildProgress:
    """Told of each letter as it completes; shows it to the person running the build."""

    def __init__(
        self,
        console: Console,
        quiet: bool = False,
        done: str = "built",
        starting: str = "starting workers",
    ):
        """`done` says what happened to a letter ("built"; "sent" for send), `starting`
        what the bar says before the first one is done."""
        self.console = console
        self.quiet = quiet
        self.done_word = done
        self.starting = starting
        self.done = 0
        self.total = 0
        self._bar: tuple[Progress, TaskID] | None = None  # the bar and its one task

    def start(self, total: int) -> None:
        self.total = total
        if self.quiet or not total:
            return
        if self.console.is_terminal and sys.stderr.isatty():
            bar = Progress(
                TextColumn("[bold]{task.description:<24.24}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("elapsed"),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self._bar = bar, bar.add_task(self.starting, total=total)
            bar.start()

    def letter(self, slug: str, message: str, failed: bool = False) -> None:
        self.done += 1
        if self.quiet:
            return
        if self._bar is not None:
            bar, task = self._bar
            bar.update(task, advance=1, description=slug)
            if failed:
                bar.console.print(f"failed {slug}: {message}", markup=False)
            return
        width = len(str(self.total))
        status = "FAILED" if failed else self.done_word
        self.console.print(
            f"[{self.done:>{width}}/{self.total}] {status} {slug}: {message}", markup=False
        )

    def stop(self) -> None:
        if self._bar is not None:
            self._bar[0].stop()
            self._bar = None
