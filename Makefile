# The two set-up commands: `make build` and `make test`. Only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: build test serve check clean bench

# The virtual environment with the pinned dependencies, made again when pyproject.toml or this file changes.
$(STAMP): pyproject.toml Makefile
	@echo "make: creating the virtual environment in $(VENV)/ and installing the pinned dependencies (about 20 s)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# (PEP 660 editable mode; the warning filter keeps setuptools' general advice on editable installs quiet)
	PYTHONWARNINGS=ignore::UserWarning $(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(PY) build.py build

# The import contracts (the layers, no cycles: pyproject.toml), then the tests.
test: $(STAMP)
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

# The preview: `make serve`, `make serve PORT=8001`, `make serve PORT=0` (a free port).
PORT ?= 8000
serve: $(STAMP)
	$(PY) build.py serve --port $(PORT)

# Validate content and every link; then, when Java and Chromium are here, the W3C validator (vnu) over every
# page and axe-core over one page of each type in each language (tests/test_standards.py, which npm-installs
# vnu-jar and axe-core into .checkers/ on first use).
check: $(STAMP)
	$(PY) build.py check
	@if command -v java >/dev/null 2>&1 && [ -x /usr/bin/chromium ]; then \
		$(PY) -m pytest -q tests/test_standards.py; \
	else \
		echo "make check: HTML validator and axe skipped (they need java and /usr/bin/chromium)"; \
	fi

clean:
	rm -rf output .wtpfsite-cache .pytest_cache

# Build-speed benchmark against Hugo, MkDocs, Pelican and Eleventy (installed by the script into benchmarks/work/;
# Eleventy with npm, on the system's Node.js).
# Slow: about 30 minutes on the 2-core machine for the default sizes (200, 2000) and 5 runs, more when the
# machine is busy; `$(PY) benchmarks/run.py --sizes 10000` is opt-in. See benchmarks/README.md.
bench: $(STAMP)
	$(PY) benchmarks/run.py
