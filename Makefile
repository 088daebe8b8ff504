# The README's two commands: `make run` and `make test`. Everything else is a step they depend on.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: install run test lint bench demo clean vendor neo4j neo4j-stop neo4j-launcher bench-engines bench-synthetic bench-registry bench-scale bench-identity bench-classes

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

# The local Neo4j Community (graph/local_neo4j.py): Maven fetches the pinned version once into .cache/m2.
LAUNCHER := graph/neo4j-launcher
$(LAUNCHER)/target/classpath.txt: $(LAUNCHER)/pom.xml $(wildcard $(LAUNCHER)/src/main/java/org/creditgraph/*.java) $(BIN)/.installed
	$(BIN)/python -m graph.local_neo4j build

install: $(BIN)/.installed

neo4j-launcher: $(LAUNCHER)/target/classpath.txt

## Start the local Neo4j in the background (Bolt on 127.0.0.1:7687, user neo4j, data in data/neo4j/).
## `CREDITGRAPH_ENGINE=neo4j make run` serves on it (and starts it itself if it is not running).
neo4j: neo4j-launcher
	$(BIN)/python -m graph.local_neo4j start

## Stop the local Neo4j started by `make neo4j` (a clean shutdown: checkpoint, then exit).
neo4j-stop: install
	$(BIN)/python -m graph.local_neo4j stop

## Install, start the embedded engine, load the demo data into an empty graph, serve GraphQL on 127.0.0.1:8000.
## CREDITGRAPH_ENGINE=neo4j: the same on the local Neo4j; NEO4J_URI=...: on any Neo4j 5.
run: install $(if $(filter neo4j,$(CREDITGRAPH_ENGINE)),neo4j-launcher)
	$(BIN)/python -m api serve --demo

## The whole test suite on both engines (the embedded one and a local Neo4j started for the run), Cypher lint
## included. CI runs exactly this.
test: install neo4j-launcher lint/node_modules/.installed web/node_modules/.installed web-audit/node_modules/.installed
	$(BIN)/python -m pytest -q

## Copy cytoscape's and GraphiQL's browser files from the pinned npm packages (web/) into api/static/vendor/,
## which is committed: `make run` and the Docker image need no npm and no internet.
vendor: web/node_modules/.installed
	node web/vendor.mjs

## ruff and mypy.
lint: install
	$(BIN)/ruff check graph queries loaders api tests bench
	$(BIN)/mypy graph queries loaders api bench

## Benchmarks (see README: every figure beside its baseline from the same run).
bench: install
	$(BIN)/python -m bench.run

## The same workload on the embedded engine and on the local Neo4j, in one run, one table (README: engines).
bench-synthetic: install
	$(BIN)/python -m bench.synthetic

## The 2019 registrations (../shared/realdata/) through their mapping, three loads in a row (README: registry import).
bench-registry: install
	$(BIN)/python -m bench.registry --runs 3

## Identity resolution (README "Who is who"): precision and recall on synthetic data whose answer is known, and
## the 2019 registrations (../shared/realdata/, skipped when absent) resolved in the pure module and through the store.
bench-identity: install
	$(BIN)/python -m bench.identity --store

bench-engines: install neo4j-launcher
	$(BIN)/python -m bench.engines

## Synthetic graphs of 10,000, 100,000 and 1,000,000 organisations on both engines (README: scale). One cell:
## `make bench-scale SCALE_ARGS="--sizes 100000 --engines neo4j"`.
bench-scale: install neo4j-launcher
	$(BIN)/python -m bench.scale $(SCALE_ARGS)

bench-classes: install neo4j-launcher
	$(BIN)/python -m bench.classes $(CLASSES_ARGS)

clean:
	rm -rf $(VENV) lint/node_modules web/node_modules web-audit/node_modules data/falkordb $(LAUNCHER)/target
