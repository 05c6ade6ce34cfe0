# Two commands do all set-up on a fresh machine with Python 3.11:
#   make demo   build the knowledge graph of the bundled corpus into data/build/
#   make test   run the test suite
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench clean system-deps

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; set PYTHON=python3" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/kg build data/raw -o data/build

test: $(STAMP) system-deps
	$(BIN)/python -m pytest

# Debian packages some tests use: Virtuoso for the push integration test (the test starts
# and stops its own server) and Graphviz's `dot` for trace pictures (kg trace has a
# pure-Python SVG fallback). Installed with apt-get when missing and running as root.
SYSTEM_PACKAGES := virtuoso-t:virtuoso-opensource dot:graphviz
system-deps:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
	  cmd=$${pair%%:*}; pkg=$${pair#*:}; \
	  command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing (for the integration tests)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	      || echo "warning: could not install$$missing; the tests that need them will be skipped" >&2; \
	  else echo "note:$$missing not installed and apt-get is not available to this user; the tests that need them will be skipped" >&2; fi; \
	fi

# Scale benchmark (not part of the tests): synthetic corpora of 100, 1000, 10000 documents.
# BENCH_SIZES="100 1000" make bench   for a shorter run; results in bench/results/.
BENCH_SIZES ?= 100 1000 10000
bench: $(STAMP)
	$(BIN)/python bench/run.py --sizes $(BENCH_SIZES)

clean:
	rm -rf $(VENV) data/build data/store
