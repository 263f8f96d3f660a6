"""One module per command: its frozen options value and its run_* function, which returns an
Outcome or Interrupted (lgo_letters.errors; cli.py turns it into the exit code). No command
module imports another: what two commands share lives below them."""
