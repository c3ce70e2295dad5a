# Two entry points: `make book` and `make test`. Both create .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book test test-fast lint venv sample-data bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed: install it, or run 'make PYTHON=/path/to/python3.11 ...'"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going
	@echo
	@echo "The site is built: open $(CURDIR)/_build/html/index.html"

# Every test: lint and format check, every doctest in the library, then the whole suite.
test: lint $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup --doctest-modules src/inbound_playbook tests $(PYTEST_ARGS)

# The fast lane: unit, reference and doctest tests (no notebooks, browser, servers, engines, CLI subprocess loops or
# whole sample-team runs: `slow` in tests/conftest.py).
test-fast: lint $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not slow" --doctest-modules src/inbound_playbook tests $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts

sample-data: $(STAMP)
	$(BIN)/python scripts/make_sample_data.py

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

clean:
	rm -rf _build reports

.PHONY: site-test
# The published site only: strict build, links, offline, accessibility, and the headless-Chromium test.
site-test: $(STAMP)
	$(BIN)/python -m pytest tests/test_site_build.py tests/test_site_html.py tests/test_site_browser.py $(PYTEST_ARGS)
