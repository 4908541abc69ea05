# `make run`: a working demo clinic on http://127.0.0.1:5000 from a fresh clone.
# `make test`: the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
export HOST PORT

# Each surface keeps its own catalogue; `make translations` refreshes them all.
# A source may be several folders joined by + (server/services has patient-facing words).
CATALOGUES = server/templates+server/services:server/translations server/phone:server/phone/translations \
             server/desk:server/desk/translations kiosk:kiosk/translations \
             display:display/translations server/wayfinding:server/wayfinding/translations

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

# Browser files (the Socket.IO client; axe-core for the tests), pinned in package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

node: node_modules/.installed

compile-translations: $(VENV)/.installed
	@for pair in $(CATALOGUES); do dir=$${pair#*:}; \
	  if ls $$dir/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	    $(BIN)/pybabel -q compile -d $$dir || exit 1; fi; done

translations: $(VENV)/.installed
	@for pair in $(CATALOGUES); do src=$${pair%%:*}; dir=$${pair#*:}; \
	  $(BIN)/pybabel -q extract -F babel.cfg --no-location -o $$dir/messages.pot \
	    $$(echo $$src | tr + ' ') || exit 1; \
	  if [ -f $$dir/es/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel -q update -N -i $$dir/messages.pot -d $$dir; \
	  else $(BIN)/pybabel -q init -i $$dir/messages.pot -d $$dir -l es; fi; done

install: $(VENV)/.installed node compile-translations
install-dev: $(VENV)/.installed-dev node compile-translations

run: install
	@mkdir -p var
	@$(BIN)/waitroom demo
	@echo
	@echo "  Kiosk:    http://$(HOST):$(PORT)/kiosk"
	@echo "  Display:  http://$(HOST):$(PORT)/display"
	@echo "  Desk:     http://$(HOST):$(PORT)/desk"
	@echo "  Way:      http://$(HOST):$(PORT)/route"
	@echo "  API:      http://$(HOST):$(PORT)/api/openapi.json"
	@echo "  (phones reach the server at PUBLIC_URL; set it to this machine's LAN address)"
	@echo
	@exec $(BIN)/waitroom serve --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
