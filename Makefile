# Rapport: `make run` starts the demo, `make test` runs the suite. Both create .venv when it is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
TIER ?= S
# Reinstall only when the dependency files change.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt 2>/dev/null | cksum | cut -d' ' -f1)

.PHONY: run test test-pg lint bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

run: $(STAMP)
	PORT=$(PORT) $(BIN)/rapport demo

test: $(STAMP)
	$(BIN)/pytest
	$(MAKE) --no-print-directory lint

# The suite against PostgreSQL (CI runs this after `make test`).
test-pg: $(STAMP)
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports
	RAPPORT_MODE=test $(BIN)/mypy src

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run --tier $(TIER)

clean:
	rm -rf $(VENV) var/*.sqlite3* var/huey* build *.egg-info
