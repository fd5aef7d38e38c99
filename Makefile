# The two commands a newcomer needs:
#   make start   install everything, start a local registry and JupyterLab with the extension
#   make test    install everything, run every test suite
# Stamp files and file targets make a second run reuse what exists, and rebuild what changed.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
EXTENSION_SOURCES := $(shell find src style schema -type f 2>/dev/null) package.json tsconfig.json
LABEXTENSION := jupyterlab_modelreg/labextension/package.json
# Every test suite and `make start` run this build (`node server/dist/cli.js serve`); it is rebuilt when
# a server source changes, so no test compiles TypeScript before starting a registry.
SERVER_CLI := server/dist/cli.js
SERVER_SOURCES := $(shell find server/src -type f 2>/dev/null) server/tsconfig.json

.PHONY: install start test bench lint format api-types check-api-types

install: $(VENV)/.modelreg-installed $(LABEXTENSION) $(SERVER_CLI) ui-tests/node_modules/.modelreg-installed

server/node_modules/.modelreg-installed: server/package-lock.json
	npm ci --prefix server --no-audit --no-fund
	touch $@

# tsc leaves an unchanged output file alone, so the touch keeps the target newer than its sources.
$(SERVER_CLI): server/node_modules/.modelreg-installed $(SERVER_SOURCES)
	npm --prefix server run --silent build
	touch $@

node_modules/.modelreg-installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

ui-tests/node_modules/.modelreg-installed: ui-tests/package-lock.json
	cd ui-tests && npm ci --no-audit --no-fund
	touch $@

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.requirements-installed: $(VENV)/bin/python requirements-dev.txt
	$(PIP) install -q -r requirements-dev.txt
	touch $@

# The labextension build runs `jupyter labextension build`, so JupyterLab must be in the venv first.
$(LABEXTENSION): $(VENV)/.requirements-installed node_modules/.modelreg-installed $(EXTENSION_SOURCES)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" npm run build
	touch $@

# Built before the editable install (order-only), so the package's build hook finds it and skips its own build;
# then the built labextension is linked into the venv, so a rebuild (npm run build) shows on reload.
$(VENV)/.modelreg-installed: $(VENV)/.requirements-installed python_client/pyproject.toml pyproject.toml | $(LABEXTENSION)
	$(PIP) install -q -e 'python_client[test]'
	$(PIP) install -q -e '.[test]'
	$(VENV)/bin/jupyter-builder develop --overwrite . >/dev/null
	touch $@

# Both print how long their install step took. `make test` first makes sure Debian's chromium is there
# (the end-to-end suite needs it): installed when running as root, else it stops at once saying how.
start:
	@started=$$(date +%s); $(MAKE) --no-print-directory install && \
	  echo "make start: install step took $$(( $$(date +%s) - started )) s"
	scripts/start.sh

test:
	@started=$$(date +%s); scripts/ensure-chromium.sh && $(MAKE) --no-print-directory install && \
	  echo "make test: install step (chromium included) took $$(( $$(date +%s) - started )) s"
	scripts/test.sh

bench: install
	npm run bench:server

# One formatter and linter per language: prettier + eslint (the JupyterLab extension template's
# configuration, lint/.eslintrc.js) for TypeScript, JavaScript, CSS and JSON; ruff for all Python. CI runs
# `make lint` first: it installs only those tools (lint/package.json and ruff's pinned version), not the
# project's dependencies, and runs the JavaScript and Python checks side by side.
LINT_BIN := lint/node_modules/.bin
ESLINT := $(LINT_BIN)/eslint --no-eslintrc -c lint/.eslintrc.js --resolve-plugins-relative-to lint --ext .ts,.tsx,.js

lint/node_modules/.modelreg-installed: lint/package-lock.json
	npm ci --prefix lint --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.ruff-installed: requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install -q "$$(grep -E '^ruff==' requirements-dev.txt)"
	touch $@

lint: lint/node_modules/.modelreg-installed $(VENV)/.ruff-installed
	@$(LINT_BIN)/prettier --check --log-level warn . & prettier=$$!; \
	  $(ESLINT) . & eslint=$$!; \
	  $(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .; ruff=$$?; \
	  wait $$prettier; prettier=$$?; wait $$eslint; eslint=$$?; \
	  [ $$prettier = 0 ] || echo "make lint: prettier found unformatted files (make format fixes them)"; \
	  [ $$eslint = 0 ] || echo "make lint: eslint found problems"; \
	  [ $$ruff = 0 ] || echo "make lint: ruff found problems (make format fixes most)"; \
	  [ $$prettier = 0 ] && [ $$eslint = 0 ] && [ $$ruff = 0 ]

# The extension's REST types (src/generated/registry-api.ts) are generated with openapi-typescript from
# the OpenAPI document of the built server (`node server/dist/cli.js openapi`: printed, nothing listens).
# CI runs check-api-types, which fails when a server schema changed and the file was not regenerated.
api-types: $(SERVER_CLI) node_modules/.modelreg-installed
	node scripts/api-types.mjs

check-api-types: $(SERVER_CLI) node_modules/.modelreg-installed
	node scripts/api-types.mjs --check

format: lint/node_modules/.modelreg-installed $(VENV)/.ruff-installed
	$(LINT_BIN)/prettier --write --log-level warn .
	$(ESLINT) --fix .
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
