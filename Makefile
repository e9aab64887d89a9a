# The two set-up commands: `make build` and `make test`. Only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: build test serve check clean bench

# The package is installed editable as a plain path in a .pth file (editable_mode=compat), not through an import
# hook: every Python process of the venv starts 10 ms sooner (20 -> 10 ms), which a build asked of the build
# daemon notices (benchmarks/README.md).
$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --config-settings editable_mode=compat -e '.[test]'
	touch $(STAMP)

build: $(STAMP)
	$(PY) build.py build

test: $(STAMP)
	$(PY) -m pytest

serve: $(STAMP)
	$(PY) build.py serve

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
