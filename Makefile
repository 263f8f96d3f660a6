# Quick start: `make letters` builds every bundled year into output/; `make test` runs the suite.
# Both create .venv on first use. Nothing needs installing by hand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
YEARS := $(notdir $(wildcard data/[0-9][0-9][0-9][0-9]))

.PHONY: letters test lint system-deps clean

letters: $(STAMP) system-deps
	@for year in $(YEARS); do $(BIN)/lgo-letters build $$year || exit $$?; done

test: $(STAMP) system-deps
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check lgo_letters tests

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# WeasyPrint needs Pango; it subsets fonts much faster with libharfbuzz-subset.
# Installed with apt-get when we are root; otherwise we say what is missing and carry on.
SYSTEM_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
system-deps:
	@missing=""; for lib in $(SYSTEM_LIBS); do \
	  dpkg -s $$lib >/dev/null 2>&1 || missing="$$missing $$lib"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system libraries:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null \
	      || echo "WARNING: could not install$$missing with apt-get"; \
	  else \
	    echo "WARNING: system libraries missing:$$missing"; \
	    echo "         install them with: sudo apt-get install$$missing"; \
	  fi; \
	fi

clean:
	rm -rf output $(VENV)
