"""`python -m lgo_letters` and the `lgo-letters` command: the CLI, loaded under a guard."""

import os
import sys


def run() -> None:
    # Ctrl-C while the program is still loading: a plain word, not an import's traceback.
    # os._exit, not sys.exit: an import interrupted inside an extension's own code can leave
    # CPython's "unhandled Ctrl-C" flag set, and the interpreter would then end itself by
    # SIGINT (exit -2) after printing the word (seen once in about 30 runs under load).
    try:
        from lgo_letters.cli import main
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr, flush=True)
        os._exit(130)
    main()


# Guarded: build's worker processes import this module again and must not rerun the CLI.
if __name__ == "__main__":
    run()
