from lgo_letters.cli import main

# Guarded: build's worker processes import this module again and must not rerun the CLI.
if __name__ == "__main__":
    main()
