# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-python test-webapp webapp-deps ledger-client-deps bench bench-peer lint format venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/lso run

# The web app's dev dependencies (axe-core for the accessibility checks of the browser tests), from its lock file.
WEBAPP_DEPS := webapp/node_modules/axe-core/axe.min.js

webapp-deps: $(WEBAPP_DEPS)

$(WEBAPP_DEPS): webapp/package.json webapp/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js and npm (Debian: apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --prefix webapp --no-audit --no-fund
	touch $(WEBAPP_DEPS)

# Digital Asset's own JSON API client (@daml/ledger), which the ledger tests drive, from its lock file.
LEDGER_CLIENT_DEPS := tests/ledger/daml_client/node_modules/@daml/ledger/package.json

ledger-client-deps: $(LEDGER_CLIENT_DEPS)

$(LEDGER_CLIENT_DEPS): tests/ledger/daml_client/package.json tests/ledger/daml_client/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: install Node.js and npm (Debian: apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --prefix tests/ledger/daml_client --no-audit --no-fund
	touch $(LEDGER_CLIENT_DEPS)

test: test-webapp test-python

# Bytecode first: the tests start hundreds of Python child processes, and each would compile our modules anew
# where PYTHONDONTWRITEBYTECODE is set. Then PYTEST_WORKERS pytest-xdist workers share the suite out a module
# at a time (tests/conftest.py).
PYTEST_WORKERS ?= 2

test-python: $(STAMP) $(WEBAPP_DEPS) $(LEDGER_CLIENT_DEPS)
	$(BIN)/python -m compileall -q -x '/(\.venv|node_modules)/' . >/dev/null
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

# The web app's pure modules, with Node's own test runner (no npm packages needed).
test-webapp:
	@command -v node >/dev/null 2>&1 || { echo "node is missing: install Node.js (Debian: apt-get install nodejs)" >&2; exit 1; }
	node --test webapp/tests/

bench: $(STAMP)
	$(BIN)/python -m bench.acl_throughput --out bench-report.json
	$(BIN)/python -m bench.search_throughput --out bench-search.json
	$(BIN)/python -m bench.ledger_throughput --out bench-ledger.json
	$(BIN)/python -m bench.ledger_keys --postgres postgresql://postgres@127.0.0.1:5432/test --out bench-ledger-keys.json
	$(BIN)/python -m bench.ledger_signing --out bench-ledger-signing.json
	$(BIN)/python -m bench.proxies_online --count 1000 --out bench-proxies.json
	$(BIN)/python -m bench.negotiation_throughput --out bench-negotiation.json
	$(BIN)/python -m bench.gateway_throughput --out bench-gateway.json
	$(BIN)/python -m bench.lifecycle_throughput --out bench-lifecycle.json
	$(BIN)/python -m bench.simulation_throughput --out bench-simulation.json
	$(BIN)/python -m bench.wire_flood --out bench-flood.json
	$(BIN)/python -m bench.app_bytes --out bench-app-bytes.json

# Optional: NegMAS (AGPL, never a dependency of ours) in its own environment, against our fast mode.
PEER_VENV ?= .venv-peer
PEER_STAMP := $(PEER_VENV)/.installed

$(PEER_STAMP):
	test -x $(PEER_VENV)/bin/python || $(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PEER_VENV)/bin/python -m pip install --quiet 'negmas>=0.10'
	touch $(PEER_STAMP)

bench-peer: $(STAMP) $(PEER_STAMP)
	$(BIN)/python -m bench.simulation_peer --peer-python $(PEER_VENV)/bin/python --out bench-peer.json

lint: $(STAMP) $(WEBAPP_DEPS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	npm run --prefix webapp --silent typecheck
	npm run --prefix webapp --silent lint

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) $(PEER_VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis webapp/node_modules test-artifacts
