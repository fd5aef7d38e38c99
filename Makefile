# The two commands a newcomer needs:
#   make start   install everything, start a local registry and JupyterLab with the extension
#   make test    install everything, run every test suite
# Stamp files make a second run reuse what exists.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: install start test test-server test-extension test-python test-ui bench clean

install: $(VENV)/.modelreg-installed

server/node_modules/.modelreg-installed: server/package-lock.json
	npm ci --prefix server --no-audit --no-fund
	npm --prefix server run build
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

# The extension's Python package builds the labextension with npm, so node_modules come first.
$(VENV)/.modelreg-installed: $(VENV)/bin/python requirements-dev.txt python_client/pyproject.toml pyproject.toml \
		server/node_modules/.modelreg-installed node_modules/.modelreg-installed ui-tests/node_modules/.modelreg-installed
	$(PIP) install -q -r requirements-dev.txt
	$(PIP) install -q -e 'python_client[test]'
	$(PIP) install -q -e '.[test]'
	# Link the built labextension into the venv, so a rebuild (npm run build) shows on reload.
	$(VENV)/bin/jupyter-builder develop --overwrite . >/dev/null
	touch $@

start: install
	scripts/start.sh

test: install
	scripts/test.sh

bench: install
	npm run bench:server
