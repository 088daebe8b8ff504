# The README's two commands: `make run` and `make test`. Everything else is a step they depend on.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: install run test lint bench demo clean vendor

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

lint/node_modules/.installed: lint/package.json lint/package-lock.json
	npm ci --prefix lint --no-audit --no-fund --loglevel=error
	touch $@

web/node_modules/.installed: web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	touch $@

web-audit/node_modules/.installed: web-audit/package.json web-audit/package-lock.json
	npm ci --prefix web-audit --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed

## Install, start the embedded engine, load the demo data into an empty graph, serve GraphQL on 127.0.0.1:8000.
run: install
	$(BIN)/python -m api serve --demo

## The whole test suite (Cypher lint included). CI runs exactly this.
test: install lint/node_modules/.installed web/node_modules/.installed web-audit/node_modules/.installed
	$(BIN)/python -m pytest -q

## Copy cytoscape's and GraphiQL's browser files from the pinned npm packages (web/) into api/static/vendor/,
## which is committed: `make run` and the Docker image need no npm and no internet.
vendor: web/node_modules/.installed
	node web/vendor.mjs

## ruff and mypy.
lint: install
	$(BIN)/ruff check graph queries loaders api tests bench
	$(BIN)/mypy graph queries loaders api

## Benchmarks (see README: every figure beside its baseline from the same run).
bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) lint/node_modules web/node_modules web-audit/node_modules data/falkordb
