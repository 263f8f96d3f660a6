import sys

# Ctrl-C while the program is still loading: a plain word, not an import's traceback.
try:
    from lgo_letters.cli import main
except KeyboardInterrupt:
    print("interrupted", file=sys.stderr)
    sys.exit(130)

# Guarded: build's worker processes import this module again and must not rerun the CLI.
if __name__ == "__main__":
    main()
