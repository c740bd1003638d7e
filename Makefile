# Two commands on a fresh machine: `make demo` and `make test`. Each bootstraps .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)

.PHONY: demo test test-slow lint conformance bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

## Run Kiban with the sample municipality on 127.0.0.1:8000 (SQLite unless DATABASE_URL=postgres://...).
demo: $(STAMP)
	KIBAN_INSECURE_COOKIES=1 $(BIN)/kiban demo

lint: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/kiban makemigrations --check --dry-run

## Install, check the layering contracts and lint, then run the default suite (under 10 minutes).
test: lint
	$(BIN)/pytest -m "not slow"

## Long runs (whole-catalog provisioning and the like); .ci/run runs them too.
test-slow: $(STAMP)
	$(BIN)/pytest -m slow

## The conformance kit against Kiban's own apps on a live server (JUnit XML and HTML in var/conformance/).
conformance: $(STAMP)
	scripts/conformance-live.sh

bench: $(STAMP)
	$(BIN)/python bench/isolation/run.py
	$(BIN)/python bench/events/run.py

clean:
	rm -rf $(VENV) var
