"""`python -m tests.held_write N FIFO ARGS...`: the real `lgo-letters ARGS...`, held just
before the N-th file it renames into place (lgo_letters.output.commit), for a test to stop
it there with a real signal.

When the command reaches that rename, the file's path is written to FIFO (the open blocks
until the test opens it to read) and the process waits for a signal, so the test knows
where the command is when it sends SIGINT or SIGKILL: no sleep stands in for that.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from lgo_letters import output
from lgo_letters.cli import main

_real_commit = output.commit


class _Hold:
    def __init__(self, at: int, fifo: str):
        self.at, self.fifo, self.renames = at, fifo, 0

    def commit(self, temporary: Path, path: Path) -> None:
        self.renames += 1
        if self.renames == self.at:
            with open(self.fifo, "w", encoding="utf-8") as fifo:
                fifo.write(f"{path}\n")
            while True:  # until a signal ends the process (or raises KeyboardInterrupt)
                signal.pause()
        _real_commit(temporary, path)


if __name__ == "__main__":
    hold = _Hold(int(sys.argv[1]), sys.argv[2])
    output.commit = hold.commit  # write_atomic looks it up each time it is called
    sys.argv = ["lgo-letters", *sys.argv[3:]]
    main()
