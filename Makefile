# Rapport: `make run` starts the demo, `make test` runs the suite. Both create .venv when it is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
TIER ?= S
# Reinstall only when the dependency files change.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt 2>/dev/null | cksum | cut -d' ' -f1)

.PHONY: run test test-pg lint bench install clean messages
LANGS := ms id pl fa he

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

# Refresh the translation catalogues from the code and compile them (needs GNU gettext: apt-get install gettext).
# The compiled .mo files are committed, so `make run` needs no gettext.
messages: $(STAMP)
	cd src/rapport && RAPPORT_MODE=test ../../$(BIN)/rapport makemessages $(addprefix -l ,$(LANGS)) \
		--ignore "static/*" --ignore "*/migrations/*" --no-obsolete --add-location file
	cd src/rapport && RAPPORT_MODE=test ../../$(BIN)/rapport compilemessages $(addprefix -l ,$(LANGS))

clean:
	rm -rf $(VENV) var/*.sqlite3* var/huey* build *.egg-info
