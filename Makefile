# The two set-up commands (see README): `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: serve test lint browser java install

## Index the bundled articles/ and serve the search page on http://$(HOST):$(PORT)/
serve: $(STAMP)
	$(BIN)/haberara serve --docs articles --index index --host $(HOST) --port $(PORT)

## Lint, then run every test (the browser tests and the OpenSearch cluster's included)
test: $(STAMP) browser java
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Debian's chromium and chromium-driver, for the headless browser tests
browser:
	@bash scripts/install-browser

## Debian's Java 17 and Maven, for the tests on a local OpenSearch cluster
java:
	@bash scripts/install-java
