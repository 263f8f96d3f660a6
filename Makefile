# Quick start: `make letters` builds every bundled year into output/; `make test` runs the suite.
# Both create .venv on first use. Nothing needs installing by hand.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
YEARS := $(notdir $(wildcard data/[0-9][0-9][0-9][0-9]))

.PHONY: letters test test-fast lint bench system-deps browser-deps validator-deps clean

letters: $(STAMP) system-deps
	@for year in $(YEARS); do $(BIN)/lgo-letters build $$year || exit $$?; done

# Tests run on every core (pytest-xdist; at most four workers: each build test starts its
# own PDF workers too). TEST_WORKERS=0 runs them one at a time, in this process.
TEST_WORKERS ?= auto
PYTEST = $(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses 4

# CI runs `make test`: the lint (ruff, and mypy's type check) comes first and must be clean.
test: lint $(STAMP) system-deps browser-deps validator-deps
	$(PYTEST)

# Every in-process test, in under a minute: what to run while working. `make test` (CI) runs
# the slow ones too (whole builds, child processes, the browser): see README, "Tests".
test-fast: $(STAMP) system-deps
	$(PYTEST) -m "not slow" -q

# Build speed on a synthetic year (figures, not a test): make bench BENCH_ARGS="--councils 100"
# Debian's chromium (browser-deps) is the peer it compares with; without it, that line is skipped.
bench: $(STAMP) system-deps browser-deps
	$(BIN)/python tests/benchmark.py $(BENCH_ARGS)

# Zero findings: ruff's checks and format, and mypy's type check of the package (its
# settings, [tool.mypy] in pyproject.toml). Any finding fails the target.
lint: $(STAMP)
	$(BIN)/ruff check lgo_letters tests
	$(BIN)/ruff format --check lgo_letters tests
	$(BIN)/mypy

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# $(call apt-ensure,WHAT,PACKAGES): install the missing Debian PACKAGES with apt-get when
# we are root (as in CI); otherwise say plainly what is missing and carry on.
define apt-ensure
missing=""; for pkg in $(2); do \
  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
    echo "Installing $(1):$$missing"; \
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq $$missing) >/dev/null \
      || echo "WARNING: could not install$$missing with apt-get"; \
  else \
    echo "WARNING: $(1) missing:$$missing"; \
    echo "         install them with: sudo apt-get install$$missing"; \
  fi; \
fi
endef

# WeasyPrint needs Pango; it subsets fonts much faster with libharfbuzz-subset.
SYSTEM_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
system-deps:
	@$(call apt-ensure,system libraries,$(SYSTEM_LIBS))

# The live-preview browser tests drive Debian's Chromium through Playwright (never
# `playwright install`); without it they are skipped and say how to enable them.
BROWSER_PACKAGES := chromium
browser-deps:
	@$(call apt-ensure,browser for the live-preview tests,$(BROWSER_PACKAGES))

# The outside validators in the suite: poppler's pdftotext (the text most PDF readers and
# search indexers see) and Java for the Nu Html Checker (vnu.jar, from the dev extra).
# axe-core runs in the chromium above. Without them those tests are skipped, saying so.
VALIDATOR_PACKAGES := poppler-utils default-jre-headless
validator-deps:
	@$(call apt-ensure,outside validators for the tests,$(VALIDATOR_PACKAGES))

clean:
	rm -rf output $(VENV)
