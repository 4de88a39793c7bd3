# contactpoint — every target creates .venv and installs on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help demo serve test test-fast lint bench migration-reset i18n-extract i18n-update clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	$(BIN)/pybabel compile -d src/contactpoint/locale -D messages || true
	touch $(STAMP)

demo: $(STAMP) ## Run the product on SQLite with a synthetic scenario loaded (http://127.0.0.1:8000)
	$(BIN)/contactpoint demo --reset
	$(BIN)/contactpoint serve

serve: $(STAMP) ## Serve the web UI and API (migrations are applied first)
	$(BIN)/contactpoint serve

test: $(STAMP) ## Run every test (SQLite; PostgreSQL too when CONTACTPOINT_TEST_DATABASE_URL is set)
	$(BIN)/pybabel compile -d src/contactpoint/locale -D messages
	$(BIN)/pytest -n 2 --dist loadgroup

test-fast: $(STAMP) ## Run the tests without the browser tests
	$(BIN)/pytest -n 2 -m "not browser"

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# The peers that benchmarks compare against live in their own venv, never in the dev extra.
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

$(BENCH_STAMP): pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PY) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install -q -e ".[bench]"
	touch $(BENCH_STAMP)

bench: $(STAMP) $(BENCH_STAMP) ## Run the benchmarks in bench/ and print figures beside their peers'
	@for f in bench/*.py; do case "$$f" in bench/make_*|bench/peers.py) continue;; esac; \
		echo "== $$f" && $(BENCH_VENV)/bin/python $$f || true; done

migration-reset: $(STAMP) ## (pre-release only) regenerate the initial schema, one revision per area
	rm -f src/contactpoint/migrations/versions/0001_*.py var/alembic-authoring.db
	mkdir -p var/migration-hold
	@# 0002_fulltext.py is hand-written (dialect-specific SQL); hold it aside while 0001 is
	@# rebuilt (as 0001_NN_<area>_tables.py, in foreign-key order), then chain it after the last area.
	mv src/contactpoint/migrations/versions/0002_*.py var/migration-hold/ 2>/dev/null || true
	$(BIN)/alembic -x split=areas revision --autogenerate -m "initial schema" --rev-id 0001 \
	  && head=$$($(BIN)/alembic heads | cut -d' ' -f1) \
	  && sed -i "s/^down_revision = .*/down_revision = \"$$head\"/; s/^Revises: .*/Revises: $$head/" \
	    var/migration-hold/0002_*.py; rc=$$?; \
	  mv var/migration-hold/0002_*.py src/contactpoint/migrations/versions/ 2>/dev/null; \
	  rm -f var/alembic-authoring.db; exit $$rc

LOCALE := src/contactpoint/locale

i18n-extract: $(STAMP) ## Collect the translatable strings (babel.cfg) into locale/messages.pot
	$(BIN)/pybabel extract -F babel.cfg --project contactpoint --sort-by-file \
		-o $(LOCALE)/messages.pot .

i18n-update: i18n-extract ## Merge new strings into every language's .po; then translate them
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages --ignore-obsolete
	$(BIN)/pybabel compile -d $(LOCALE) -D messages --statistics

clean: ## Remove .venv and ./var
	rm -rf $(VENV) var
