# Accord's tasks. Every target bootstraps .venv itself on a fresh machine.
# `make help` lists them.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# every package of the development environment, pinned with hashes (`make lock` refreshes it)
LOCK   := requirements/dev.lock

.DEFAULT_GOAL := help
.PHONY: help setup node postgresql lock lock-upgrade test test-fast lint verify generate pacts shop up bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# The environment is exactly the lock: every version and file hash checked; then accord itself,
# editable, with nothing resolved (its build backend, setuptools, comes from the lock too)
$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Debian packages the tests use: Chromium renders the verification report; redis-server
# backs the gateway's shared rate limits; PostgreSQL backs `accord broker` for several
# instances (its tests start a throwaway cluster with initdb); nats-server (with JetStream)
# carries the shop's events; rabbitmq-server runs the generated AMQP stubs (its tests start a
# private node on free ports, never the system one)
CHROMIUM := /usr/bin/chromium
REDIS    := /usr/bin/redis-server
NATS     := /usr/sbin/nats-server
RABBITMQ := /usr/lib/rabbitmq/bin/rabbitmq-server
$(CHROMIUM) $(REDIS) $(NATS) $(RABBITMQ):
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium redis-server nats-server rabbitmq-server

# Node.js runs the shop's JavaScript parts: the reviews service and the web and notifications
# consumers' pact-js tests; and swagger-mock-validator, the peer `accord crosscheck` is compared with live
# (tests/peers/smv); and the SARIF 2.1.0 schema, as @microsoft/jest-sarif ships it, that
# tests/cli/test_sarif.py validates against (tests/peers/sarif). Their npm dependencies are
# installed exactly from each folder's package-lock.json
NODE     := /usr/bin/node
NODE_DIRS := services/reviews consumers/web consumers/notifications tests/peers/smv tests/peers/sarif
NODE_STAMPS := $(addsuffix /node_modules/.package-lock.json,$(NODE_DIRS))
$(NODE):
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm
%/node_modules/.package-lock.json: %/package-lock.json %/package.json | $(NODE)
	cd $* && npm ci --no-audit --no-fund --loglevel=error
	touch $@
# swagger-mock-validator patches its ajv in a postinstall script that looks for ajv inside its
# own folder, where npm does not put it (npm ci fails on a clean machine): install without
# scripts, then apply its patch (whitespace strings are not numbers) to the hoisted ajv
tests/peers/smv/node_modules/.package-lock.json: tests/peers/smv/package-lock.json tests/peers/smv/package.json | $(NODE)
	cd tests/peers/smv && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && \
		node_modules/.bin/patch-package --patch-dir node_modules/@pactflow/swagger-mock-validator/patches >/dev/null
	touch $@
node: $(NODE_STAMPS) ## Install the JavaScript parts' npm dependencies (npm ci, from their locks)

postgresql: ## Install PostgreSQL's server binaries if missing (accord broker's tests)
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; }

setup: $(STAMP) $(CHROMIUM) $(REDIS) $(NODE_STAMPS) postgresql $(NATS) $(RABBITMQ) ## Create .venv and install Accord with its dev tools (and chromium, node, postgresql, nats-server, rabbitmq-server)

# The lock is uv's universal resolution (any OS, Python >= 3.11) of pyproject.toml's
# dependencies, its dev, redis and events extras and requirements/dev.in; pins already in the lock are
# kept unless pyproject.toml no longer allows them
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml requirements/dev.in --extra dev --extra redis --extra events \
	--universal --python-version 3.11 --generate-hashes --custom-compile-command 'make lock' \
	--quiet -o $(LOCK)

lock: $(STAMP) ## Re-resolve requirements/dev.lock after a dependency change in pyproject.toml (commit it)
	$(UV_COMPILE)

lock-upgrade: $(STAMP) ## Upgrade every pin in requirements/dev.lock to the newest allowed (then run `make test`)
	$(UV_COMPILE) --upgrade

lint: $(STAMP) ## Static checks of the code: ruff and mypy --strict
	$(BIN)/ruff check src services tests benchmarks generated
	$(BIN)/ruff format --check src services tests benchmarks
	$(BIN)/mypy

test: lint $(CHROMIUM) $(REDIS) $(NODE_STAMPS) postgresql $(NATS) $(RABBITMQ) ## Everything CI runs: static checks, generated code fresh, the whole suite (slow included)
	$(BIN)/accord generate --check
	$(BIN)/accord pacts --check
	$(BIN)/python -m pytest -q

test-fast: $(STAMP) $(CHROMIUM) $(REDIS) $(NODE_STAMPS) postgresql $(NATS) $(RABBITMQ) ## The test suite without the slow (corpus, end-to-end) tests
	$(BIN)/python -m pytest -q -m 'not slow'

verify: $(STAMP) $(NODE_STAMPS) $(NATS) ## The workspace's contract verification, as CI runs it (reports in reports/)
	$(BIN)/accord pacts --check
	$(BIN)/accord verify

generate: $(STAMP) ## Regenerate generated/ from the contracts (commit the result)
	$(BIN)/accord generate

pacts: $(STAMP) $(NODE_STAMPS) ## Regenerate contracts/pacts/ from the consumer tests (commit the result)
	$(BIN)/accord pacts

shop: $(STAMP) $(NODE_STAMPS) $(NATS) ## Run the shop: catalog, orders, payments, reviews on 127.0.0.1:8101-8104, NATS and shipping (Ctrl-C stops all)
	$(BIN)/python -m services

up: $(STAMP) $(NODE_STAMPS) $(NATS) ## Every service and the gateway (127.0.0.1:8100), as accord.yaml says; Ctrl-C stops
	$(BIN)/accord up

bench: $(STAMP) ## Benchmarks side by side with their peers (see benchmarks/README.md)
	$(BIN)/python benchmarks/bench_lint.py
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_broker.py

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis var
