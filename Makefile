# Two commands from a fresh clone: `make run` and `make test`. Only python3 (3.11+) and pip needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONFIG ?= config.yaml

.PHONY: setup run poll test test-fast demo serve lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: setup  ## start the scheduled monitor on config.yaml (Ctrl-C stops it)
	$(BIN)/monitor run --config $(CONFIG)

poll: setup  ## one polling round
	$(BIN)/monitor poll --config $(CONFIG)

test: setup  ## the whole test suite (browser tests need Debian's chromium: apt-get install chromium)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
		echo "NOTE: no Chromium found: the browser tests (tests/test_browser.py) will be SKIPPED." \
		"Install it with: apt-get install chromium"
	$(BIN)/python -m pytest -n 2 -q

test-fast: setup  ## the suite without the slow tests (browser, sample database, kill -9, wheel)
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

demo: setup  ## build demo.db from the saved pages shipped with monitor, offline
	$(BIN)/monitor demo --db demo.db --force  # rebuilds only a database demo made

serve: setup
	$(BIN)/monitor serve --config $(CONFIG)

lint: setup  ## ruff and mypy, both at zero findings
	$(BIN)/ruff check monitor tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
