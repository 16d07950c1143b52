# csdesk: `make run` serves the demo on the embedded database; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_ORDERS ?= 3000
HOST ?= 127.0.0.1
PORT ?= 8000

# The admin UI (admin-ui/): `npm ci` when the lock file changes, a build when its sources or the
# contract change; csdesk serves admin-ui/dist at /admin.
UI := admin-ui
UI_DEPS := $(UI)/node_modules/.installed-stamp
UI_BUILD := $(UI)/dist/.built-stamp
UI_SOURCES := $(shell find $(UI)/src $(UI)/public -type f -not -path '$(UI)/src/gql/*' 2>/dev/null) \
  $(wildcard $(UI)/*.ts $(UI)/*.json $(UI)/*.html $(UI)/scripts/*) \
  frontend-contract/schema.graphql $(wildcard frontend-contract/operations/*.graphql)
CHROMIUM ?= /usr/bin/chromium

.PHONY: install run reset-demo worker purge test lint types pytest schema bench bench-full \
  bench-import clean ui-install ui-build ui-check ui-e2e ui-screenshots

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

$(UI_DEPS): $(UI)/package-lock.json $(UI)/package.json
	cd $(UI) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(UI_BUILD): $(UI_DEPS) $(UI_SOURCES)
	cd $(UI) && npm run build
	@touch $@

ui-install: $(UI_DEPS)

# Typed documents from the contract, type check, bundle, first-load budget (300 kB gzip).
ui-build: $(UI_BUILD)

# Type check, ESLint, Prettier and the component tests (Vitest).
ui-check: $(UI_DEPS)
	cd $(UI) && npm run check

# Debian's Chromium against a seeded csdesk on SQLite (uvicorn on a free port).
ui-e2e: install ui-build
	@test -x $(CHROMIUM) || { echo "$(CHROMIUM) is missing: apt-get install -y chromium" >&2; exit 1; }
	cd $(UI) && CHROMIUM_PATH=$(CHROMIUM) npm run e2e

# The same run, keeping its screenshots in admin-ui/screenshots/ (shown in the README).
ui-screenshots: install ui-build
	cd $(UI) && CHROMIUM_PATH=$(CHROMIUM) SCREENSHOT_DIR=screenshots npm run e2e

run: install ui-build
	$(BIN)/csdesk db upgrade
	$(BIN)/csdesk seed --if-empty --orders $(DEMO_ORDERS) --seed 1
	@echo ""
	@echo "  csdesk admin UI: http://$(HOST):$(PORT)/admin/"
	@echo "  csdesk API:      http://$(HOST):$(PORT)/graphql (GraphiQL in the browser)"
	@echo "  logins: admin / admin, supervisor / supervisor, agent / agent (UK and DE stores only)"
	@echo "  the csdesk command: source $(BIN)/activate (a new demo: make reset-demo DEMO_ORDERS=N)"
	@echo ""
	CSDESK_WORKER_IN_PROCESS=true CSDESK_PAYMENT_SIMULATOR=true CSDESK_WAREHOUSE_SIMULATOR=true \
	  $(BIN)/csdesk serve --host $(HOST) --port $(PORT)

# A new demo: deletes ./csdesk.db (and the demo's mail and spool), migrates and seeds it again
# with DEMO_ORDERS orders; `make run` serves it. Only the default database: refuses when
# CSDESK_DATABASE_URL is set.
reset-demo: install
	@test -z "$$CSDESK_DATABASE_URL" || { echo "reset-demo resets ./csdesk.db only: unset CSDESK_DATABASE_URL" >&2; exit 1; }
	rm -f csdesk.db csdesk.db-wal csdesk.db-shm
	rm -rf var/mail var/spool
	$(BIN)/csdesk db upgrade
	$(BIN)/csdesk seed --orders $(DEMO_ORDERS) --seed 1

# The outbox worker (and the scheduled purge) on its own, as production runs it.
worker: install
	$(BIN)/csdesk worker

# Deletes expired idempotency records, sessions and login attempts now (PURGE_ARGS=--dry-run).
purge: install
	$(BIN)/csdesk purge $(PURGE_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: install
	$(BIN)/mypy .

pytest: install
	$(BIN)/pytest

test: lint types pytest ui-check ui-build ui-e2e

schema: install
	$(BIN)/csdesk export-schema --output frontend-contract/schema.graphql \
	  --trusted-documents frontend-contract/trusted-documents.json

# csdesk against the raw baseline (bench/), over HTTP, on SQLite and on PostgreSQL when
# reachable; seeds ./var/bench-*.sqlite and csdesk_bench* once. BENCH_ARGS=--help for more.
bench: install
	$(BIN)/python -m bench --orders 100000 $(BENCH_ARGS)

bench-full: install
	$(BIN)/python -m bench --orders 1000000 --repeat 15 --warmup 2 $(BENCH_ARGS)

# csdesk import catalog/stock/orders on fresh databases, in records/s (bench/imports.py;
# PostgreSQL too when CSDESK_TEST_POSTGRES_URL is set). BENCH_IMPORT_ARGS=--help for more.
bench-import: install
	$(BIN)/python -m bench.imports $(BENCH_IMPORT_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build *.egg-info
	rm -rf $(UI)/node_modules $(UI)/dist $(UI)/src/gql $(UI)/e2e/out
