# The two set-up commands: `make build` and `make test`. Only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: build test serve check clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(PY) build.py build

test: $(STAMP)
	$(PY) -m pytest

serve: $(STAMP)
	$(PY) build.py serve

check: $(STAMP)
	$(PY) build.py check

clean:
	rm -rf output .wtpfsite-cache .pytest_cache

# Build-speed benchmark against Hugo, MkDocs and Pelican (installed by the script into benchmarks/work/).
# Slow: about 1-2 hours on the 2-core machine for the default sizes (200, 2000) and 5 runs; see benchmarks/README.md.
bench: $(STAMP)
	$(PY) benchmarks/run.py
