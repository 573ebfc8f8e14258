# Two commands do all set-up on a machine that has only Python 3.11+:
#   make run    serve the embedded default store on 127.0.0.1:$(PORT)
#   make test   run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
PORT ?= 8000
WORKERS ?= 2
THREADS ?= 4

.PHONY: run soak wrk postgres chromium test fuzz openapi jsonschema bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

$(VENV)/.installed-bench: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@ $(VENV)/.installed-run

# The production server, configured in api/serving.py (granian; README "Running in production").
run: $(VENV)/.installed-run
	$(BIN)/flask --app api import records
	PORT=$(PORT) WORKERS=$(WORKERS) THREADS=$(THREADS) $(BIN)/python -m api.serving

# 60 s at 64 connections against `make run`'s server, with slow clients and an import going on
# (bench/soak.py); not part of `make test`. Installs Debian's wrk where it is missing.
soak: $(VENV)/.installed-bench wrk
	$(BIN)/python bench/soak.py

# The load generator of bench/bench_servers.py and the soak (C, keep-alive, not the bottleneck).
wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }

# The server programs of the tests' throw-away PostgreSQL (tests/postgres.py: initdb into a
# temporary folder, stopped at the end): the machine's own, Debian's installed where it has none.
postgres:
	@command -v initdb >/dev/null || test -x "$$(pg_config --bindir 2>/dev/null)/initdb" || \
		ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; }

# The browser of tests/browser (Playwright drives it; no browser of Playwright's own is
# downloaded): Debian's headless-capable Chromium, installed where it is missing.
chromium:
	@test -x /usr/bin/chromium || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: $(VENV)/.installed-test postgres chromium
	$(BIN)/python -m pytest

# The generated-input tests alone, with a larger budget: FUZZ_EXAMPLES examples per operation
# or property (`make test` runs 25), from FUZZ_SEED.
FUZZ_EXAMPLES ?= 1000
FUZZ_SEED ?= 20260
fuzz: $(VENV)/.installed-test
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SEED=$(FUZZ_SEED) $(BIN)/python -m pytest -m fuzz

# Regenerate the committed generated files after changing schemas or endpoints.
openapi: $(VENV)/.installed-run
	TRIALS_DATABASE_URL=sqlite:///$$(mktemp -d)/openapi.sqlite3 TRIALS_RECORDS_DIR= \
		$(BIN)/flask --app api openapi write --format json openapi/openapi.json

jsonschema: $(VENV)/.installed-run
	$(BIN)/python -m schemas.json_schema

bench: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_study_get.py

clean:
	rm -rf $(VENV) instance .pytest_cache
