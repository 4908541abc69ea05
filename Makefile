# `make run`: a working demo clinic on http://127.0.0.1:5000 from a fresh clone.
# `make test`: the whole suite. `make lint`: style, types, the architecture's contracts.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
# `make run` loads the demo with 60 past days; add --live to have the server play its day.
DEMO_ARGS ?= --history-days 60
export HOST PORT

# One message catalogue for every surface (translations/): `make translations` extracts the
# words of every source folder into messages.pot and brings each language's messages.po up
# to date. The .pot is replaced only when a message changed, so a second run changes nothing.
CATALOGUE = translations
CATALOGUE_SOURCES = server kiosk display
# Every language with a catalogue; `make translations LANGUAGE=xx` starts a new one (README,
# "Adding a language").
CATALOGUE_LANGUAGES = $(sort $(notdir $(patsubst %/LC_MESSAGES/,%,$(dir $(wildcard $(CATALOGUE)/*/LC_MESSAGES/messages.po)))) $(LANGUAGE))

.PHONY: run test install install-dev node compile-translations translations lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

# Browser files (the Socket.IO client; axe-core and ESLint for the checks), pinned in
# package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

node: node_modules/.installed

compile-translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d $(CATALOGUE)

translations: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l --no-location --project=Waitroom \
	  -o $(CATALOGUE)/messages.pot.new \
	  $(CATALOGUE_SOURCES)
	@if [ -f $(CATALOGUE)/messages.pot ] && diff -q -I '^"POT-Creation-Date: ' \
	  $(CATALOGUE)/messages.pot $(CATALOGUE)/messages.pot.new >/dev/null; \
	then rm $(CATALOGUE)/messages.pot.new; \
	else mv $(CATALOGUE)/messages.pot.new $(CATALOGUE)/messages.pot; fi
	@for language in $(CATALOGUE_LANGUAGES); do \
	  if [ -f $(CATALOGUE)/$$language/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel -q update -N -i $(CATALOGUE)/messages.pot -d $(CATALOGUE) -l $$language; \
	  else $(BIN)/pybabel -q init -i $(CATALOGUE)/messages.pot -d $(CATALOGUE) -l $$language; \
	  fi || exit 1; done

install: $(VENV)/.installed node compile-translations
install-dev: $(VENV)/.installed-dev node compile-translations

run: install
	@mkdir -p var
	@$(BIN)/waitroom demo $(DEMO_ARGS)
	@$(BIN)/waitroom vapid-keys
	@echo
	@echo "  Kiosk:    http://$(HOST):$(PORT)/kiosk"
	@echo "  Display:  http://$(HOST):$(PORT)/display"
	@echo "  Desk:     http://$(HOST):$(PORT)/desk"
	@echo "  Way:      http://$(HOST):$(PORT)/route"
	@echo "  API:      http://$(HOST):$(PORT)/api/openapi.json"
	@echo "  (phones reach the server at PUBLIC_URL; set it to this machine's LAN address)"
	@echo
	@exec $(BIN)/waitroom serve --host $(HOST) --port $(PORT)

# The browser modules' unit tests (Node's own runner), then the Python suite in
# TEST_WORKERS processes (pytest-xdist; two, one a core on the machines we test on;
# `make test TEST_WORKERS=0` runs it in one process). With workers, each module runs
# whole in one worker, and the tests of PostgreSQL, Redis and
# nginx one at a time in one worker (tests/conftest.py, pytest_collection_modifyitems).
TEST_WORKERS ?= 2
test: install-dev
	node --test tests/js/
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Style, types, the architecture's contracts (import-linter) and the browser code.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	node_modules/.bin/eslint .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
