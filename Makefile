# csdesk: `make run` serves the demo on the embedded database; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_ORDERS ?= 3000
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint types pytest schema bench bench-import clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/csdesk db upgrade
	$(BIN)/csdesk seed --if-empty --orders $(DEMO_ORDERS) --seed 1
	@echo ""
	@echo "  csdesk demo: http://$(HOST):$(PORT)/graphql (GraphiQL in the browser)"
	@echo "  logins: admin / admin, supervisor / supervisor, agent / agent (UK and DE stores only)"
	@echo ""
	CSDESK_WORKER_IN_PROCESS=true CSDESK_PAYMENT_SIMULATOR=true \
	  $(BIN)/csdesk serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy .

pytest: install
	$(BIN)/pytest

test: lint types pytest

schema: install
	$(BIN)/csdesk export-schema --output frontend-contract/schema.graphql

bench: install
	$(BIN)/python -m bench.queue

# csdesk import catalog/stock/orders on fresh databases, in records/s (bench/imports.py;
# PostgreSQL too when CSDESK_TEST_POSTGRES_URL is set). BENCH_IMPORT_ARGS=--help for more.
bench-import: install
	$(BIN)/python -m bench.imports $(BENCH_IMPORT_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build *.egg-info
